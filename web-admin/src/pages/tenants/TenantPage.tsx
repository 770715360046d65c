import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { StatusBadge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { CopyField } from '../../components/CopyField';
import { DataTable } from '../../components/DataTable';
import { Time } from '../../components/Format';
import { PageHeader } from '../../components/PageHeader';
import { EmptyState, ErrorState, InlineError, LoadingState } from '../../components/States';
import { useAsync } from '../../hooks/useAsync';
import { useTitle } from '../../hooks/useSession';
import { guideFor } from '../../setup/guides';
import { useAction } from '../../hooks/useAction';

type Connection = Schemas['ConnectionSummary'];
type SetupLink = Schemas['IssuedSetupLink'];

function SetupLinkPanel({ tenantId }: { tenantId: string }) {
  const [link, setLink] = useState<SetupLink | null>(null);
  const { busy, error, run } = useAction();
  const generate = () =>
    run(async () => {
      setLink(
        await unwrap(api.POST('/api/v1/tenants/{tenant_id}/setup-links', { params: { path: { tenant_id: tenantId } }, body: {} })),
      );
    });
  return (
    <section className="card page-section" aria-labelledby="setup-link-title">
      <div className="summary__head">
        <h2 id="setup-link-title">Invite the IT admin</h2>
        <Button variant="primary" busy={busy} onClick={generate}>
          {link ? 'Generate another' : 'Generate setup link'}
        </Button>
      </div>
      <p className="muted">
        Send it to the customer’s IT admin: it opens a guided setup for their identity provider, limited to this tenant.
      </p>
      {link && (
        <CopyField
          label="Setup link"
          value={link.url}
          hint={
            <>
              {link.single_use ? 'Works once' : 'Reusable'}, until <Time value={link.expires_at} />. Shown only now.
            </>
          }
        />
      )}
      <InlineError error={error} />
    </section>
  );
}

export function TenantPage() {
  const { id = '' } = useParams();
  const path = { tenant_id: id };
  const tenant = useAsync((signal) => unwrap(api.GET('/api/v1/tenants/{tenant_id}', { params: { path }, signal })), id);
  const connections = useAsync(
    (signal) => unwrap(api.GET('/api/v1/tenants/{tenant_id}/connections', { params: { path }, signal })),
    id,
  );
  useTitle(tenant.state.phase === 'loaded' ? tenant.state.data.name : 'Tenant');

  if (tenant.state.phase === 'loading') return <LoadingState label="Loading the tenant…" />;
  if (tenant.state.phase === 'error') return <ErrorState title="The tenant could not be loaded" error={tenant.state.error} onRetry={tenant.reload} />;
  const { data } = tenant.state;
  const list = connections.state;
  return (
    <div className="page">
      <PageHeader
        back={{ to: '/tenants', label: 'Tenants' }}
        title={data.name}
        description={data.external_id ? <>External id <code>{data.external_id}</code></> : undefined}
      />
      <SetupLinkPanel tenantId={data.id} />
      <section className="page-section" aria-labelledby="connections-title">
        <h2 id="connections-title" className="section-title">
          Connections
        </h2>
        {list.phase === 'loading' && <LoadingState label="Loading connections…" />}
        {list.phase === 'error' && <ErrorState title="Connections could not be loaded" error={list.error} onRetry={connections.reload} />}
        {list.phase === 'loaded' && list.data.data.length === 0 && (
          <EmptyState title="No connections yet">The IT admin creates one when they open the setup link and pick their identity provider.</EmptyState>
        )}
        {list.phase === 'loaded' && list.data.data.length > 0 && (
          <DataTable<Connection>
            caption="Connections"
            rows={list.data.data}
            rowKey={(connection) => connection.id}
            columns={[
              {
                header: 'Name',
                cell: (connection) => (
                  <Link to={`/connections/${connection.id}`} className="cell-link">
                    {connection.name}
                  </Link>
                ),
              },
              { header: 'Provider', cell: (connection) => guideFor(connection.provider).name },
              { header: 'State', cell: (connection) => <StatusBadge status={connection.state} /> },
              { header: 'Users', cell: (connection) => connection.user_count, numeric: true },
              { header: 'Groups', cell: (connection) => connection.group_count, numeric: true, optional: true },
              { header: 'Last request', cell: (connection) => <Time value={connection.last_request_at} fallback="none yet" />, optional: true },
            ]}
          />
        )}
      </section>
    </div>
  );
}
