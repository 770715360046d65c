import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { StatusBadge } from '../../components/Badge';
import { DataTable } from '../../components/DataTable';
import { Time } from '../../components/Format';
import { PageHeader } from '../../components/PageHeader';
import { EmptyState, ErrorState, LoadingState } from '../../components/States';
import { useAsync } from '../../hooks/useAsync';
import { useTitle } from '../../hooks/useSession';

type Endpoint = Schemas['EndpointView'];

export function endpointStatus(endpoint: Endpoint) {
  if (!endpoint.enabled) return <StatusBadge status="disabled" />;
  if (endpoint.failing_since) return <StatusBadge status="retrying" label="Failing" />;
  return <StatusBadge status="enabled" />;
}

export function EndpointsPage() {
  useTitle('Webhook endpoints');
  const { state, reload } = useAsync((signal) => unwrap(api.GET('/api/v1/endpoints', { signal })), 'endpoints');
  const add = (
    <Link className="button button--primary" to="/endpoints/new">
      Add endpoint
    </Link>
  );
  return (
    <div className="page">
      <PageHeader
        title="Webhook endpoints"
        description="Where Roster delivers signed events. Each endpoint gets every matching event, retried until it succeeds."
        actions={add}
      />
      {state.phase === 'loading' && <LoadingState label="Loading endpoints…" />}
      {state.phase === 'error' && <ErrorState title="Endpoints could not be loaded" error={state.error} onRetry={reload} />}
      {state.phase === 'loaded' && state.data.length === 0 && (
        <EmptyState title="No endpoints yet" action={add}>
          Add the URL of your app’s webhook receiver to start receiving user and group changes.
        </EmptyState>
      )}
      {state.phase === 'loaded' && state.data.length > 0 && (
        <DataTable<Endpoint>
          caption="Webhook endpoints"
          rows={state.data}
          rowKey={(endpoint) => endpoint.id}
          columns={[
            {
              header: 'URL',
              cell: (endpoint) => (
                <Link to={`/endpoints/${endpoint.id}`} className="cell-link">
                  {endpoint.url}
                </Link>
              ),
            },
            { header: 'Status', cell: endpointStatus },
            { header: 'Events', cell: (endpoint) => endpoint.event_types.join(', ') || '*', optional: true },
            { header: 'Description', cell: (endpoint) => endpoint.description || '—', optional: true },
            { header: 'Created', cell: (endpoint) => <Time value={endpoint.created_at} />, optional: true },
          ]}
        />
      )}
    </div>
  );
}
