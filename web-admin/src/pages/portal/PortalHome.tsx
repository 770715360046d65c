import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { useSession, useTitle } from '../../hooks/useSession';
import { useAsync } from '../../hooks/useAsync';
import { StatusBadge } from '../../components/Badge';
import { plural } from '../../components/Format';
import { Button } from '../../components/Button';
import { PageHeader } from '../../components/PageHeader';
import { ErrorState, InlineError, LoadingState } from '../../components/States';
import { GUIDES, guideFor, isProviderKind } from '../../setup/guides';
import { SetupGuide } from '../../setup/SetupGuide';
import type { ProviderKind } from '../../setup/types';
import { LiveCheck } from './LiveCheck';
import { useAction } from '../../hooks/useAction';

type Connection = Schemas['ConnectionSummary'];

function IdpPicker({ selected, onSelect }: { selected: ProviderKind | null; onSelect: (id: ProviderKind) => void }) {
  return (
    <fieldset className="idp-picker">
      <legend>Which identity provider do you use?</legend>
      <div className="idp-picker__grid">
        {GUIDES.map((guide) => (
          <Button key={guide.id} className="idp-card" aria-pressed={selected === guide.id} onClick={() => onSelect(guide.id)}>
            {guide.name}
          </Button>
        ))}
      </div>
    </fieldset>
  );
}

function ConnectionList({ connections }: { connections: Connection[] }) {
  return (
    <section className="card page-section" aria-labelledby="your-connections">
      <h2 id="your-connections">Your connections</h2>
      <ul className="plain-list">
        {connections.map((connection) => (
          <li key={connection.id} className="connection-row">
            <Link to={`/portal/connections/${connection.id}`}>{connection.name}</Link>
            <span className="muted">{guideFor(connection.provider).name}</span>
            <StatusBadge status={connection.state} />
            <span className="muted">
              {plural(connection.user_count, 'user')} · {plural(connection.group_count, 'group')}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Creates the connection if needed and issues a token, which is shown only in this session of the page. */
function useConnectionSetup(tenantId: string) {
  const connections = useAsync(
    (signal) =>
      unwrap(api.GET('/api/v1/tenants/{tenant_id}/connections', { params: { path: { tenant_id: tenantId } }, signal })),
    tenantId,
  );
  const [token, setToken] = useState<{ connectionId: string; value: string } | null>(null);
  const { busy, error, run } = useAction();

  const issueToken = (connectionId: string) =>
    run(async () => {
      const issued = await unwrap(
        api.POST('/api/v1/connections/{connection_id}/scim-tokens', { params: { path: { connection_id: connectionId } }, body: {} }),
      );
      setToken({ connectionId, value: issued.token });
    });

  const create = (provider: ProviderKind) =>
    run(async () => {
      const created = await unwrap(
        api.POST('/api/v1/tenants/{tenant_id}/connections', { params: { path: { tenant_id: tenantId } }, body: { provider } }),
      );
      const issued = await unwrap(
        api.POST('/api/v1/connections/{connection_id}/scim-tokens', { params: { path: { connection_id: created.id } }, body: {} }),
      );
      setToken({ connectionId: created.id, value: issued.token });
      connections.reload();
    });

  return { connections, token, busy, error, issueToken, create };
}

export function PortalHome() {
  useTitle('Directory setup');
  const state = useSession();
  const tenantId = state.status === 'active' ? (state.claims.tenantId ?? '') : '';
  const [params, setParams] = useSearchParams();
  const idp = params.get('idp');
  const selected = idp && isProviderKind(idp) ? idp : null;
  const setup = useConnectionSetup(tenantId);

  const list = setup.connections.state;
  const connection: Connection | undefined =
    list.phase === 'loaded' && selected ? list.data.data.find((c) => c.provider === selected) : undefined;
  const token = connection && setup.token?.connectionId === connection.id ? setup.token.value : null;

  return (
    <div className="page">
      <PageHeader
        title="Connect your directory"
        description="Pick your identity provider, follow the steps, and Roster starts receiving your users and groups."
      />
      {list.phase === 'loaded' && list.data.data.length > 0 && !selected && <ConnectionList connections={list.data.data} />}
      <IdpPicker selected={selected} onSelect={(id) => setParams({ idp: id }, { replace: true })} />
      {list.phase === 'loading' && <LoadingState label="Loading your connections…" />}
      {list.phase === 'error' && (
        <ErrorState title="Your connections could not be loaded" error={list.error} onRetry={setup.connections.reload} />
      )}
      {list.phase === 'loaded' && selected && !connection && (
        <section className="card">
          <h2>Create the {guideFor(selected).name} connection</h2>
          <p className="muted">Roster creates a SCIM endpoint for your directory and a token for your identity provider.</p>
          <Button variant="primary" busy={setup.busy} onClick={() => setup.create(selected)}>
            Create connection and token
          </Button>
          <InlineError error={setup.error} />
        </section>
      )}
      {connection && (
        <>
          {token && (
            <p className="notice notice--warn" role="status">
              <strong>Copy the token now.</strong> It is shown only this once and cannot be displayed again. If you lose
              it, create a new token.
            </p>
          )}
          <SetupGuide
            guide={guideFor(connection.provider)}
            values={{ base_url: connection.scim_base_url, token }}
            missingToken={
              <>
                <span className="muted">tokens are shown only when created. </span>
                <Button size="small" busy={setup.busy} onClick={() => setup.issueToken(connection.id)}>
                  Create a new token
                </Button>
                <InlineError error={setup.error} />
              </>
            }
          />
          <LiveCheck connection={connection} />
          <p>
            <Link className="button button--secondary" to={`/portal/connections/${connection.id}`}>
              Users, groups, request log and tokens →
            </Link>
          </p>
        </>
      )}
    </div>
  );
}
