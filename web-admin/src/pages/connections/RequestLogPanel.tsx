import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Checkbox } from '../../components/Field';
import { Time } from '../../components/Format';
import { PagedView } from '../../components/PagedView';
import { EmptyState } from '../../components/States';
import { usePagedList } from '../../hooks/usePagedList';
import { explainRequest } from './explainRequest';

type LoggedRequest = Schemas['RequestLogEntry'];

export const REQUESTS_PAGE_SIZE = 25;

function RequestItem({ request }: { request: LoggedRequest }) {
  const explanation = explainRequest(request);
  return (
    <li className={`request-log__item${explanation ? ' request-log__item--error' : ''}`}>
      <div className="request-log__line">
        <Badge tone={request.status >= 500 ? 'bad' : request.status >= 400 ? 'warn' : 'ok'}>{request.status}</Badge>
        <code className="request-log__call">
          {request.method} {request.path}
        </code>
        <span className="muted">
          <Time value={request.at} /> · {request.duration_ms} ms
        </span>
      </div>
      {explanation && (
        <div className="request-log__explain">
          <p>{explanation.summary}</p>
          {explanation.fix && <p className="muted">{explanation.fix}</p>}
          {request.error_detail && (
            <p className="request-log__detail">
              Detail: <code>{request.error_detail}</code>
            </p>
          )}
          {request.request_id && (
            <p className="muted small">
              Request id <code>{request.request_id}</code>
            </p>
          )}
        </div>
      )}
      {request.request_excerpt && (
        <details>
          <summary>Request body</summary>
          <pre className="code-block" tabIndex={0}>
            <code>{request.request_excerpt}</code>
          </pre>
        </details>
      )}
    </li>
  );
}

/** The SCIM requests the identity provider made, newest first, errors explained in plain words. */
export function RequestLogPanel({ connectionId }: { connectionId: string }) {
  const [errorsOnly, setErrorsOnly] = useState(false);
  const list = usePagedList(
    (after, signal) =>
      unwrap(
        api.GET('/api/v1/connections/{connection_id}/requests', {
          params: {
            path: { connection_id: connectionId },
            query: { outcome: errorsOnly ? 'error' : undefined, after, limit: REQUESTS_PAGE_SIZE },
          },
          signal,
        }),
      ),
    `${connectionId}|${errorsOnly}`,
  );
  return (
    <section className="page-section" aria-label="Request log">
      <div className="toolbar">
        <Checkbox label="Errors only" checked={errorsOnly} onChange={(event) => setErrorsOnly(event.target.checked)} />
        <Button size="small" onClick={list.reload}>
          Refresh
        </Button>
      </div>
      <PagedView
        list={list}
        loading="Loading requests…"
        errorTitle="The request log could not be loaded"
        empty={
          <EmptyState title={errorsOnly ? 'No failed requests' : 'No requests yet'}>
            {errorsOnly
              ? 'Every request from your identity provider succeeded.'
              : 'Requests appear here as soon as your identity provider calls the SCIM base URL with its token.'}
          </EmptyState>
        }
      >
        {(requests) => (
          <ul className="request-log" aria-label="Requests, newest first">
            {requests.map((request) => (
              <RequestItem key={request.id} request={request} />
            ))}
          </ul>
        )}
      </PagedView>
    </section>
  );
}
