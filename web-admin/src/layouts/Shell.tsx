import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Link, NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { logout } from '../api/auth';
import { session } from '../api/session';
import { Button } from '../components/Button';

export interface NavItem {
  to: string;
  label: string;
  /** A page outside the app (served by the api), opened as a normal link. */
  external?: boolean;
}

export async function signOut() {
  try {
    await logout();
  } catch {
    // The session is forgotten locally either way; the api side expires with it.
  }
  session.end('logged_out');
}

interface ShellProps {
  nav: NavItem[];
  /** Shown at the right of the header (who is signed in). */
  identity?: ReactNode;
  variant: 'operator' | 'portal';
}

/** Header, navigation (a menu button on narrow screens), the page, and focus on navigation. */
export function Shell({ nav, identity, variant }: ShellProps) {
  const location = useLocation();
  const navigate = useNavigate();
  const main = useRef<HTMLElement>(null);
  const [menuOpen, setMenuOpen] = useState(false);
  const [signingOut, setSigningOut] = useState(false);
  const [lastPath, setLastPath] = useState(location.pathname);

  if (lastPath !== location.pathname) {
    setLastPath(location.pathname);
    setMenuOpen(false);
  }
  useEffect(() => {
    main.current?.focus({ preventScroll: true });
  }, [location.pathname]);

  const onSignOut = async () => {
    setSigningOut(true);
    await signOut();
    navigate(variant === 'operator' ? '/login' : '/', { replace: true });
  };

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className={`app-header app-header--${variant}`}>
        <div className="app-header__inner">
          <Link className="brand" to={variant === 'operator' ? '/' : '/portal'}>
            <span className="brand__mark" aria-hidden="true">
              R
            </span>
            Roster
            {variant === 'portal' && <span className="brand__sub">Directory setup</span>}
          </Link>
          {nav.length > 0 && (
            <Button
              className="menu-button"
              size="small"
              aria-expanded={menuOpen}
              aria-controls="main-nav"
              onClick={() => setMenuOpen((open) => !open)}
            >
              Menu
            </Button>
          )}
          <nav id="main-nav" aria-label="Main" className={`main-nav${menuOpen ? ' main-nav--open' : ''}`}>
            <ul className="nav">
              {nav.map((item) => (
                <li key={item.to}>
                  {item.external ? (
                    <a className="nav__link" href={item.to} target="_blank" rel="noreferrer">
                      {item.label}
                      <span className="visually-hidden"> (opens in a new tab)</span> ↗
                    </a>
                  ) : (
                    <NavLink className="nav__link" to={item.to}>
                      {item.label}
                    </NavLink>
                  )}
                </li>
              ))}
            </ul>
          </nav>
          <div className="app-header__account">
            {identity}
            <Button size="small" variant="ghost" busy={signingOut} onClick={onSignOut}>
              Sign out
            </Button>
          </div>
        </div>
      </header>
      <main id="main" ref={main} className="app-main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
