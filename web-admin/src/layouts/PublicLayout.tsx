import { Link, Outlet } from 'react-router';
import { homeOf } from '../auth/RequireSession';
import { useSession } from '../hooks/useSession';

/** Pages anyone may see (the deployment's status): brand, a way in, the page. */
export function PublicLayout() {
  const state = useSession();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <div className="app-header__inner">
          <Link className="brand" to="/">
            <span className="brand__mark" aria-hidden="true">
              R
            </span>
            Roster
          </Link>
          <nav aria-label="Main" className="main-nav main-nav--static">
            <ul className="nav">
              <li>
                {state.status === 'active' ? (
                  <Link className="nav__link" to={homeOf(state.claims.role)}>
                    Back to the console
                  </Link>
                ) : (
                  <Link className="nav__link" to="/login">
                    Sign in
                  </Link>
                )}
              </li>
              <li>
                <a className="nav__link" href="/docs/">
                  API docs
                </a>
              </li>
            </ul>
          </nav>
        </div>
      </header>
      <main id="main" className="app-main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
