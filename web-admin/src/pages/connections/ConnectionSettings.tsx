import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { StatusBadge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { CopyField } from '../../components/CopyField';
import { DataTable } from '../../components/DataTable';
import { ConfirmDialog } from '../../components/Dialog';
import { plural, Time } from '../../components/Format';
import { EmptyState, ErrorState, InlineError, LoadingState } from '../../components/States';
import { useAsync } from '../../hooks/useAsync';
import { useAction } from '../../hooks/useAction';

type Connection = Schemas['ConnectionSummary'];
type Token = Schemas['ScimTokenView'];

export function tokenStatus(token: Token, now: number = Date.now()): 'revoked' | 'expired' | 'active' {
  if (token.revoked_at) return 'revoked';
  if (token.expires_at && new Date(token.expires_at).getTime() <= now) return 'expired';
  return 'active';
}

function Tokens({ connectionId }: { connectionId: string }) {
  const path = { connection_id: connectionId };
  const tokens = useAsync((signal) => unwrap(api.GET('/api/v1/connections/{connection_id}/scim-tokens', { params: { path }, signal })), connectionId);
  const [issued, setIssued] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const [revoking, setRevoking] = useState<Token | null>(null);

  const issue = () =>
    run(async () => {
      const created = await unwrap(api.POST('/api/v1/connections/{connection_id}/scim-tokens', { params: { path }, body: {} }));
      setIssued(created.token);
      tokens.reload();
    });

  const list = tokens.state;
  const active = list.phase === 'loaded' ? list.data.filter((token) => tokenStatus(token) === 'active').length : 0;
  return (
    <section className="card page-section" aria-labelledby="tokens-title">
      <div className="summary__head">
        <h2 id="tokens-title">SCIM tokens</h2>
        <Button variant="primary" busy={busy} onClick={issue}>
          Create new token
        </Button>
      </div>
      <p className="muted">
        To rotate: create a new token, paste it into your identity provider and save, then revoke the old one. Your identity
        provider keeps working throughout.
      </p>
      {issued && (
        <>
          <p className="notice notice--warn" role="status">
            <strong>Copy the token now.</strong> It is shown only this once.
          </p>
          <CopyField label="New bearer token" value={issued} secret />
        </>
      )}
      <InlineError error={error} />
      {list.phase === 'loading' && <LoadingState label="Loading tokens…" />}
      {list.phase === 'error' && <ErrorState title="Tokens could not be loaded" error={list.error} onRetry={tokens.reload} />}
      {list.phase === 'loaded' && list.data.length === 0 && (
        <EmptyState title="No tokens">Create a token for your identity provider to start provisioning.</EmptyState>
      )}
      {list.phase === 'loaded' && list.data.length > 0 && (
        <DataTable<Token>
          caption="SCIM tokens"
          rows={list.data}
          rowKey={(token) => token.id}
          columns={[
            { header: 'Token', cell: (token) => <code>{token.prefix}…</code> },
            { header: 'Status', cell: (token) => <StatusBadge status={tokenStatus(token)} /> },
            { header: 'Created', cell: (token) => <Time value={token.created_at} />, optional: true },
            { header: 'Last used', cell: (token) => <Time value={token.last_used_at} fallback="never" />, optional: true },
            { header: 'Expires', cell: (token) => <Time value={token.expires_at} fallback="never" />, optional: true },
            {
              header: 'Actions',
              cell: (token) =>
                tokenStatus(token) === 'active' ? (
                  <Button size="small" variant="danger" onClick={() => setRevoking(token)} aria-label={`Revoke token ${token.prefix}`}>
                    Revoke…
                  </Button>
                ) : null,
            },
          ]}
        />
      )}
      {revoking && (
        <ConfirmDialog
          title={`Revoke token ${revoking.prefix}…?`}
          confirmLabel="Revoke token"
          danger
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            await unwrap(
              api.POST('/api/v1/scim-tokens/{token_id}/revoke', { params: { path: { token_id: revoking.id } } }),
            );
            tokens.reload();
          }}
        >
          <p>Requests made with this token are refused at once.</p>
          {active <= 1 && (
            <p className="notice notice--warn">This is the last active token: your identity provider stops provisioning until you create a new one.</p>
          )}
        </ConfirmDialog>
      )}
    </section>
  );
}

function Activation({ connection, onChange }: { connection: Connection; onChange: (next: Connection) => void }) {
  const [confirming, setConfirming] = useState(false);
  const { busy, error, run } = useAction();
  const path = { connection_id: connection.id };
  const inactive = connection.state === 'inactive';
  const setState = async (state: 'active' | 'inactive') => {
    onChange(await unwrap(api.PATCH('/api/v1/connections/{connection_id}', { params: { path }, body: { state } })));
  };
  const activate = () => run(() => setState('active'));
  return (
    <section className="card page-section" aria-labelledby="activation-title">
      <div className="summary__head">
        <h2 id="activation-title">Connection state</h2>
        <StatusBadge status={connection.state} />
      </div>
      {inactive ? (
        <>
          <p>This connection is deactivated: Roster refuses every request from your identity provider. Users and groups are kept.</p>
          <Button variant="primary" busy={busy} onClick={activate}>
            Reactivate connection
          </Button>
        </>
      ) : (
        <>
          <p className="muted">Deactivating stops provisioning at once without deleting anything; you can reactivate it later.</p>
          <Button variant="danger" onClick={() => setConfirming(true)}>
            Deactivate connection…
          </Button>
        </>
      )}
      <InlineError error={error} />
      {confirming && (
        <ConfirmDialog
          title={`Deactivate ${connection.name}?`}
          confirmLabel="Deactivate"
          danger
          onClose={() => setConfirming(false)}
          onConfirm={() => setState('inactive')}
        >
          <p>
            Your identity provider’s requests will be refused (it will report authentication errors) until the connection is
            reactivated. The {plural(connection.user_count, 'user')} and {plural(connection.group_count, 'group')} already provisioned are kept.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

/** Token rotation and revocation, and deactivating the connection. */
export function ConnectionSettings({ connection, onChange }: { connection: Connection; onChange: (next: Connection) => void }) {
  return (
    <>
      <Tokens connectionId={connection.id} />
      <Activation connection={connection} onChange={onChange} />
    </>
  );
}
