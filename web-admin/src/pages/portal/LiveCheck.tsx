import { useEffect, useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { Badge } from '../../components/Badge';
import { Time } from '../../components/Format';
import { InlineError } from '../../components/States';
import { explainRequest } from '../connections/explainRequest';

type Connection = Schemas['ConnectionSummary'];
type LoggedRequest = Schemas['RequestLogEntry'];

export const LIVE_CHECK_INTERVAL_MS = 5000;

/**
 * "Waiting for the first request from your IdP…": polls the connection until it has received a
 * SCIM request, then shows the latest requests (errors with Roster's explanation).
 */
export function LiveCheck({ connection, intervalMs = LIVE_CHECK_INTERVAL_MS }: { connection: Connection; intervalMs?: number }) {
  const [requests, setRequests] = useState<LoggedRequest[] | null>(null);
  const [counts, setCounts] = useState<{ users: number; groups: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    const path = { connection_id: connection.id };
    const signal = controller.signal;
    Promise.all([
      unwrap(api.GET('/api/v1/connections/{connection_id}/requests', { params: { path, query: { limit: 5 } }, signal })),
      unwrap(api.GET('/api/v1/connections/{connection_id}', { params: { path }, signal })),
    ]).then(
      ([page, latest]) => {
        setRequests(page.data);
        setCounts({ users: latest.user_count, groups: latest.group_count });
        setError(null);
      },
      (failure: unknown) => {
        if (!controller.signal.aborted) setError(failure);
      },
    );
    const timer = setTimeout(() => setTick((n) => n + 1), intervalMs);
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [connection.id, tick, intervalMs]);

  const received = requests !== null && requests.length > 0;
  return (
    <section className={`card live-check${received ? ' live-check--ok' : ''}`} aria-labelledby="live-check-title">
      <div className="summary__head">
        <h2 id="live-check-title">Connection check</h2>
        {received ? <Badge tone="ok">Receiving requests</Badge> : <Badge tone="neutral">Waiting</Badge>}
      </div>
      <div aria-live="polite">
        {!received && (
          <p className="loading">
            <span className="spinner" aria-hidden="true" />
            Waiting for the first request from your identity provider…
          </p>
        )}
        {received && counts && (
          <p className="live-check__counts">
            <strong>{counts.users}</strong> {counts.users === 1 ? 'user' : 'users'} and <strong>{counts.groups}</strong>{' '}
            {counts.groups === 1 ? 'group' : 'groups'} received so far.
          </p>
        )}
        {received && (
          <ul className="request-list">
            {requests.map((request) => (
              <li key={request.id} className={request.status >= 400 ? 'request-list__item--error' : undefined}>
                <Badge tone={request.status >= 400 ? 'bad' : 'ok'}>{request.status}</Badge>{' '}
                <code>
                  {request.method} {request.path}
                </code>{' '}
                <span className="muted">
                  <Time value={request.at} />
                </span>
                {request.status >= 400 && (
                  <p className="request-list__detail">
                    {explainRequest(request)?.summary} {request.error_detail && <code>{request.error_detail}</code>}
                  </p>
                )}
              </li>
            ))}
          </ul>
        )}
      </div>
      <InlineError error={error} />
    </section>
  );
}
