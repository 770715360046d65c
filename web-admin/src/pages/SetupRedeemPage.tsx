import { useEffect, useRef, useState } from 'react';
import { Navigate, useParams } from 'react-router';
import { redeemSetupLink } from '../api/auth';
import { rememberReturnUrl } from '../api/returnUrl';
import { ApiError } from '../api/errors';
import { session } from '../api/session';
import { RequestId } from '../components/States';
import { useTitle } from '../hooks/useSession';

type Phase = { phase: 'redeeming' } | { phase: 'done' } | { phase: 'failed'; error: ApiError };

function explain(error: ApiError): { title: string; text: string } {
  if (error.status === 401 || error.status === 404 || error.status === 410) {
    return {
      title: 'This setup link cannot be used',
      text: 'It has expired, was already used, or was revoked. Ask the person who sent it for a new link.',
    };
  }
  if (error.status === 429) {
    return {
      title: 'Too many attempts',
      text: `Try again in ${error.retryAfterSeconds ?? 60} s.`,
    };
  }
  return { title: 'The setup link could not be opened', text: error.message };
}

/**
 * `/admin/setup/:token`: redeems a setup link for a tenant-admin session and enters the portal.
 * The token leaves the address bar at once (it is a credential); a single-use link is consumed
 * by the first redeem, so it runs once even under StrictMode's double effects.
 */
export function SetupRedeemPage() {
  useTitle('Directory setup');
  const { token = '' } = useParams();
  const [state, setState] = useState<Phase>({ phase: 'redeeming' });
  const started = useRef<string | null>(null);

  useEffect(() => {
    if (!token || started.current === token) return;
    started.current = token;
    window.history.replaceState(window.history.state, '', `${import.meta.env.BASE_URL}setup`);
    redeemSetupLink(token).then(
      (tokens) => {
        session.establish(tokens);
        rememberReturnUrl(tokens.return_url);
        setState({ phase: 'done' });
      },
      (error: unknown) =>
        setState({
          phase: 'failed',
          error: error instanceof ApiError ? error : new ApiError('network', '', String(error)),
        }),
    );
  }, [token]);

  if (state.phase === 'done') return <Navigate to="/portal" replace />;
  const failure = token
    ? state.phase === 'failed' && state.error
    : new ApiError('http', '', 'incomplete link', { status: 404 });
  return (
    <main id="main" className="auth-page" tabIndex={-1}>
      <div className="auth-card card">
        <div className="brand brand--large">
          <span className="brand__mark" aria-hidden="true">
            R
          </span>
          Roster
        </div>
        {!failure ? (
          <>
            <h1>Opening your setup link…</h1>
            <p className="loading" role="status">
              <span className="spinner" aria-hidden="true" />
              Checking the link
            </p>
          </>
        ) : (
          <div role="alert">
            <h1>{explain(failure).title}</h1>
            <p>{explain(failure).text}</p>
            <RequestId error={failure} />
          </div>
        )}
      </div>
    </main>
  );
}
