import { useEffect, useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { login } from '../api/auth';
import { ApiError } from '../api/errors';
import { session } from '../api/session';
import { homeOf } from '../auth/RequireSession';
import { Button } from '../components/Button';
import { TextField } from '../components/Field';
import { InlineError } from '../components/States';
import { useSession, useTitle } from '../hooks/useSession';

/** Counts down the seconds of a 429's Retry-After. */
function useCountdown() {
  const [until, setUntil] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until === null) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [until]);
  const left = until === null ? 0 : Math.max(0, Math.ceil((until - now) / 1000));
  const start = (seconds: number) => {
    const at = Date.now();
    setNow(at);
    setUntil(at + seconds * 1000);
  };
  return { left, start };
}

function LoginError({ error, secondsLeft }: { error: unknown; secondsLeft: number }) {
  if (secondsLeft > 0) {
    return (
      <div className="inline-error" role="alert">
        Too many sign-in attempts. Try again in {secondsLeft} s.
      </div>
    );
  }
  if (!error || (error instanceof ApiError && error.status === 429)) return null;
  if (error instanceof ApiError && error.status === 401) {
    return (
      <div className="inline-error" role="alert">
        That email and password do not match an account.
      </div>
    );
  }
  return <InlineError error={error} />;
}

export function LoginPage() {
  useTitle('Sign in');
  const state = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const throttle = useCountdown();

  const from = (location.state as { from?: string } | null)?.from;
  if (state.status === 'active') return <Navigate to={from ?? homeOf(state.claims.role)} replace />;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const claims = session.establish(await login({ email: email.trim(), password }));
      navigate(claims.role === 'operator' ? (from ?? '/') : homeOf(claims.role), { replace: true });
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 429) throttle.start(failure.retryAfterSeconds ?? 60);
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <main id="main" className="auth-page" tabIndex={-1}>
      <div className="auth-card card">
        <div className="brand brand--large">
          <span className="brand__mark" aria-hidden="true">
            R
          </span>
          Roster
        </div>
        <h1>Sign in to the operator console</h1>
        {state.status === 'anonymous' && state.ended === 'expired' && (
          <p className="notice" role="status">
            Your session has ended. Sign in again to continue.
          </p>
        )}
        {state.status === 'anonymous' && state.ended === 'logged_out' && (
          <p className="notice" role="status">
            You have signed out.
          </p>
        )}
        <form className="form" onSubmit={submit}>
          <TextField
            label="Email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
          <TextField
            label="Password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
          <LoginError error={error} secondsLeft={throttle.left} />
          <Button type="submit" variant="primary" busy={busy} disabled={throttle.left > 0}>
            Sign in
          </Button>
        </form>
        <p className="muted auth-card__foot">
          IT admin setting up a directory? Open the setup link you were sent. &middot; <a href="/docs/">API docs</a>
        </p>
      </div>
    </main>
  );
}
