import { Link } from 'react-router';
import { useTitle } from '../hooks/useSession';

export function NotFound() {
  useTitle('Not found');
  return (
    <main id="main" className="auth-page" tabIndex={-1}>
      <div className="auth-card card">
        <h1>Page not found</h1>
        <p className="muted">There is nothing at this address in the Roster admin.</p>
        <p>
          <Link to="/">Go to the start page</Link>
        </p>
      </div>
    </main>
  );
}
