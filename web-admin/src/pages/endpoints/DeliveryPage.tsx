import { useState } from 'react';
import { useParams } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { Badge, StatusBadge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { JsonView, ShortId, Time } from '../../components/Format';
import { PageHeader } from '../../components/PageHeader';
import { EmptyState, ErrorState, InlineError, LoadingState } from '../../components/States';
import { useAsync } from '../../hooks/useAsync';
import { useTitle } from '../../hooks/useSession';

type Attempt = Schemas['AttemptView'];

function AttemptItem({ attempt, number }: { attempt: Attempt; number: number }) {
  const ok = attempt.status_code !== null && attempt.status_code !== undefined && attempt.status_code < 300 && !attempt.error;
  return (
    <li className="attempt card">
      <div className="summary__head">
        <h3>
          Attempt {number} · <Time value={attempt.attempted_at} />
        </h3>
        <Badge tone={ok ? 'ok' : 'bad'}>
          {attempt.status_code ? `HTTP ${attempt.status_code}` : (attempt.error_class ?? 'no response')}
        </Badge>
      </div>
      <p className="muted">
        {attempt.duration_ms} ms{attempt.error && ` — ${attempt.error}`}
      </p>
      {attempt.response_excerpt ? (
        <JsonView label={`Response of attempt ${number}`} value={attempt.response_excerpt} />
      ) : (
        <p className="muted">No response body.</p>
      )}
    </li>
  );
}

export function DeliveryPage() {
  const { id = '' } = useParams();
  useTitle('Delivery');
  const path = { delivery_id: id };
  const { state, reload } = useAsync((signal) => unwrap(api.GET('/api/v1/deliveries/{delivery_id}', { params: { path }, signal })), id);
  const [replaying, setReplaying] = useState(false);
  const [replayed, setReplayed] = useState(false);
  const [error, setError] = useState<unknown>(null);

  if (state.phase === 'loading') return <LoadingState label="Loading the delivery…" />;
  if (state.phase === 'error') return <ErrorState title="The delivery could not be loaded" error={state.error} onRetry={reload} />;
  const delivery = state.data;

  const replay = async () => {
    setReplaying(true);
    setError(null);
    setReplayed(false);
    try {
      await unwrap(api.POST('/api/v1/deliveries/{delivery_id}/replay', { params: { path } }));
      setReplayed(true);
      reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setReplaying(false);
    }
  };

  return (
    <div className="page">
      <PageHeader
        back={{ to: `/endpoints/${delivery.endpoint_id}`, label: 'Endpoint' }}
        title={<code>{delivery.event_type}</code>}
        description={
          <>
            Delivery <ShortId id={delivery.id} /> of event <ShortId id={delivery.event_id} />, created <Time value={delivery.created_at} />
          </>
        }
        actions={
          <>
            <StatusBadge status={delivery.status} />
            <Button variant="primary" busy={replaying} onClick={replay}>
              Replay
            </Button>
          </>
        }
      />
      <div aria-live="polite">{replayed && <p className="notice">Replay queued: one more attempt is made now.</p>}</div>
      <InlineError error={error} />
      {delivery.next_attempt_at && (
        <p className="muted">
          Next attempt <Time value={delivery.next_attempt_at} />.
        </p>
      )}
      <section aria-labelledby="payload-title">
        <h2 id="payload-title" className="section-title">
          Payload
        </h2>
        <JsonView label="Delivered payload" value={delivery.payload} />
      </section>
      <section aria-labelledby="attempts-title">
        <h2 id="attempts-title" className="section-title">
          Attempts ({delivery.attempts_log.length})
        </h2>
        {delivery.attempts_log.length === 0 ? (
          <EmptyState title="Not attempted yet">The worker attempts it shortly.</EmptyState>
        ) : (
          <ol className="attempts">
            {delivery.attempts_log.map((attempt, index) => (
              <AttemptItem key={attempt.attempted_at + index} attempt={attempt} number={index + 1} />
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}
