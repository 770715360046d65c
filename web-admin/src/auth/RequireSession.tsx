import { useEffect, type ReactNode } from 'react';
import { Link, Navigate, useLocation } from 'react-router';
import { session, type Role } from '../api/session';
import { useSession } from '../hooks/useSession';

function FullPage({ children }: { children: ReactNode }) {
  return (
    <main id="main" className="auth-page" tabIndex={-1}>
      <div className="auth-card card">{children}</div>
    </main>
  );
}

/** Where each role lands after signing in. */
export function homeOf(role: Role): string {
  return role === 'operator' ? '/' : '/portal';
}

/**
 * Shows `children` to a signed-in person of `role`. A reload restores the session from the
 * refresh token first; without a session operators go to the login page and IT admins are told
 * to open their setup link again; the other role is sent to its own home.
 */
export function RequireSession({ role, children }: { role: Role; children: ReactNode }) {
  const state = useSession();
  const location = useLocation();

  useEffect(() => {
    if (state.status === 'restoring') void session.refresh();
  }, [state.status]);

  if (state.status === 'restoring') {
    return (
      <FullPage>
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" />
          Restoring your session…
        </p>
      </FullPage>
    );
  }
  if (state.status === 'anonymous') {
    if (role === 'operator') return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
    return (
      <FullPage>
        <h1>Your setup session has ended</h1>
        <p className="muted">
          Open the setup link you were sent again. If it has expired or was already used, ask the person who sent it
          for a new one.
        </p>
        <p>
          <Link to="/login">Operator sign-in</Link>
        </p>
      </FullPage>
    );
  }
  if (state.claims.role !== role) return <Navigate to={homeOf(state.claims.role)} replace />;
  return <>{children}</>;
}
