import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api, done, unwrap, type Schemas } from '../../api/client';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { ConfirmDialog } from '../../components/Dialog';
import { JsonView, Time } from '../../components/Format';
import { PageHeader } from '../../components/PageHeader';
import { ErrorState, InlineError, LoadingState } from '../../components/States';
import { useAsync } from '../../hooks/useAsync';
import { useTitle } from '../../hooks/useSession';
import { DeliveryChart } from './DeliveryChart';
import { EndpointDeliveries } from './EndpointDeliveries';
import { endpointStatus } from './EndpointsPage';
import { EndpointSecret } from './EndpointSecret';

type Endpoint = Schemas['EndpointView'];
type TestResult = Schemas['TestEventResult'];

function Facts({ endpoint }: { endpoint: Endpoint }) {
  return (
    <dl className="facts card">
      <div>
        <dt>Events</dt>
        <dd>{endpoint.event_types.length ? endpoint.event_types.join(', ') : 'every event'}</dd>
      </div>
      <div>
        <dt>Tenant</dt>
        <dd>{endpoint.tenant_id ? <code>{endpoint.tenant_id}</code> : 'all tenants'}</dd>
      </div>
      <div>
        <dt>Order</dt>
        <dd>{endpoint.ordered ? 'strictly per connection' : 'concurrent'}</dd>
      </div>
      <div>
        <dt>Created</dt>
        <dd>
          <Time value={endpoint.created_at} />
        </dd>
      </div>
      {endpoint.failing_since && (
        <div>
          <dt>Failing since</dt>
          <dd>
            <Time value={endpoint.failing_since} />
          </dd>
        </div>
      )}
      {!endpoint.enabled && (
        <div>
          <dt>Disabled</dt>
          <dd>
            {endpoint.disabled_reason ?? 'by an operator'} (<Time value={endpoint.disabled_at} />)
          </dd>
        </div>
      )}
    </dl>
  );
}

function TestOutcome({ result }: { result: TestResult }) {
  const { attempt } = result;
  return (
    <section className="card" aria-labelledby="test-title" aria-live="polite">
      <div className="summary__head">
        <h2 id="test-title">Test event</h2>
        <Badge tone={result.succeeded ? 'ok' : 'bad'}>{result.succeeded ? 'Delivered' : 'Failed'}</Badge>
      </div>
      <p>
        {attempt.status_code ? `HTTP ${attempt.status_code}` : (attempt.error_class ?? 'no response')} in {attempt.duration_ms} ms
        {attempt.error && ` — ${attempt.error}`}
      </p>
      {attempt.response_excerpt && <JsonView label="Response excerpt" value={attempt.response_excerpt} />}
    </section>
  );
}

type Pending = 'disable' | 'delete' | null;

export function EndpointPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const path = { endpoint_id: id };
  const { state, reload, update } = useAsync((signal) => unwrap(api.GET('/api/v1/endpoints/{endpoint_id}', { params: { path }, signal })), id);
  const [confirm, setConfirm] = useState<Pending>(null);
  const [testing, setTesting] = useState(false);
  const [test, setTest] = useState<TestResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  useTitle(state.phase === 'loaded' ? state.data.url : 'Webhook endpoint');

  if (state.phase === 'loading') return <LoadingState label="Loading the endpoint…" />;
  if (state.phase === 'error') return <ErrorState title="The endpoint could not be loaded" error={state.error} onRetry={reload} />;
  const endpoint = state.data;

  const sendTest = async () => {
    setTesting(true);
    setError(null);
    try {
      setTest(await unwrap(api.POST('/api/v1/endpoints/{endpoint_id}/test', { params: { path } })));
    } catch (failure) {
      setError(failure);
    } finally {
      setTesting(false);
    }
  };
  const enable = async () => {
    setError(null);
    try {
      update(await unwrap(api.POST('/api/v1/endpoints/{endpoint_id}/enable', { params: { path } })));
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <div className="page">
      <PageHeader
        back={{ to: '/endpoints', label: 'Webhook endpoints' }}
        title={<span className="break-all">{endpoint.url}</span>}
        description={endpoint.description || undefined}
        actions={
          <>
            {endpointStatus(endpoint)}
            <Button variant="primary" busy={testing} onClick={sendTest} disabled={!endpoint.enabled}>
              Send test event
            </Button>
            {endpoint.enabled ? (
              <Button onClick={() => setConfirm('disable')}>Disable…</Button>
            ) : (
              <Button onClick={enable}>Enable</Button>
            )}
            <Button variant="danger" onClick={() => setConfirm('delete')}>
              Delete…
            </Button>
          </>
        }
      />
      <InlineError error={error} />
      <Facts endpoint={endpoint} />
      {test && <TestOutcome result={test} />}
      <EndpointSecret endpointId={endpoint.id} />
      <DeliveryChart endpointId={endpoint.id} />
      <EndpointDeliveries endpointId={endpoint.id} />
      {confirm === 'disable' && (
        <ConfirmDialog
          title="Disable this endpoint?"
          confirmLabel="Disable"
          danger
          onClose={() => setConfirm(null)}
          onConfirm={async () => update(await unwrap(api.POST('/api/v1/endpoints/{endpoint_id}/disable', { params: { path }, body: null })))}
        >
          <p>No deliveries are attempted while it is disabled. Enable it again later and recover the failed ones.</p>
        </ConfirmDialog>
      )}
      {confirm === 'delete' && (
        <ConfirmDialog
          title="Delete this endpoint?"
          confirmLabel="Delete endpoint"
          danger
          onClose={() => setConfirm(null)}
          onConfirm={async () => {
            await done(api.DELETE('/api/v1/endpoints/{endpoint_id}', { params: { path } }));
            navigate('/endpoints', { replace: true });
          }}
        >
          <p>
            <code className="break-all">{endpoint.url}</code> stops receiving events, and its delivery history is deleted. This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
