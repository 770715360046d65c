import { useState, type FormEvent } from 'react';
import { api, unwrap, type Schemas } from '../api/client';
import { Badge, StatusBadge } from '../components/Badge';
import { Button } from '../components/Button';
import { CopyField } from '../components/CopyField';
import { DataTable } from '../components/DataTable';
import { ConfirmDialog, Dialog } from '../components/Dialog';
import { SelectField, TextField } from '../components/Field';
import { Time } from '../components/Format';
import { PageHeader } from '../components/PageHeader';
import { EmptyState, ErrorState, InlineError, LoadingState } from '../components/States';
import { useAsync } from '../hooks/useAsync';
import { useTitle } from '../hooks/useSession';

type ApiKey = Schemas['ApiKeyView'];
type Scope = Schemas['ApiKeyScope'];

const SCOPES: { value: Scope; label: string }[] = [
  { value: 'full', label: 'Full: read and write' },
  { value: 'read_only', label: 'Read only' },
];

function CreateKeyDialog({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [scope, setScope] = useState<Scope>('full');
  const [tenantId, setTenantId] = useState('');
  const [nameError, setNameError] = useState<string>();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) {
      setNameError('Name the key after what uses it, e.g. billing-service.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const issued = await unwrap(api.POST('/api/v1/api-keys', { body: { name: name.trim(), scope, tenant_id: tenantId.trim() || null } }));
      setSecret(issued.secret);
      onCreated();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  if (secret) {
    return (
      <Dialog title="API key created" onClose={onClose} footer={<Button variant="primary" onClick={onClose}>Done</Button>}>
        <p className="notice notice--warn">
          <strong>Copy the key now.</strong> It is shown only this once; Roster keeps only its hash.
        </p>
        <CopyField label="API key" value={secret} secret />
      </Dialog>
    );
  }
  return (
    <Dialog title="Create an API key" onClose={onClose}>
      <form className="form" onSubmit={submit} noValidate>
        <TextField label="Name" required value={name} error={nameError} onChange={(e) => setName(e.target.value)} data-autofocus />
        <SelectField label="Scope" options={SCOPES} value={scope} onChange={(e) => setScope(e.target.value as Scope)} />
        <TextField
          label="Only this tenant (optional)"
          hint="A tenant id: the key then sees only that tenant."
          value={tenantId}
          onChange={(e) => setTenantId(e.target.value)}
        />
        <InlineError error={error} />
        <div className="dialog__footer">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={busy}>
            Create key
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

export function ApiKeysPage() {
  useTitle('API keys');
  const { state, reload } = useAsync((signal) => unwrap(api.GET('/api/v1/api-keys', { signal })), 'api-keys');
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const create = (
    <Button variant="primary" onClick={() => setCreating(true)}>
      Create API key
    </Button>
  );
  return (
    <div className="page">
      <PageHeader title="API keys" description="Credentials for your app’s backend to call the management API." actions={create} />
      {state.phase === 'loading' && <LoadingState label="Loading API keys…" />}
      {state.phase === 'error' && <ErrorState title="API keys could not be loaded" error={state.error} onRetry={reload} />}
      {state.phase === 'loaded' && state.data.length === 0 && (
        <EmptyState title="No API keys yet" action={create}>
          Your app’s backend needs one to create tenants, subscribe endpoints and read events.
        </EmptyState>
      )}
      {state.phase === 'loaded' && state.data.length > 0 && (
        <DataTable<ApiKey>
          caption="API keys"
          rows={state.data}
          rowKey={(key) => key.id}
          columns={[
            { header: 'Name', cell: (key) => <strong>{key.name}</strong> },
            { header: 'Prefix', cell: (key) => <code>{key.prefix}…</code> },
            { header: 'Scope', cell: (key) => <Badge tone="neutral">{key.scope === 'full' ? 'Full' : 'Read only'}</Badge> },
            { header: 'Tenant', cell: (key) => (key.tenant_id ? <code>{key.tenant_id}</code> : 'all'), optional: true },
            { header: 'Last used', cell: (key) => <Time value={key.last_used_at} fallback="never" />, optional: true },
            {
              header: 'Status',
              cell: (key) =>
                key.revoked_at ? (
                  <StatusBadge status="revoked" />
                ) : (
                  <Button size="small" variant="danger" onClick={() => setRevoking(key)}>
                    Revoke…
                  </Button>
                ),
            },
          ]}
        />
      )}
      {creating && <CreateKeyDialog onClose={() => setCreating(false)} onCreated={reload} />}
      {revoking && (
        <ConfirmDialog
          title={`Revoke “${revoking.name}”?`}
          confirmLabel="Revoke key"
          danger
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            await unwrap(api.POST('/api/v1/api-keys/{api_key_id}/revoke', { params: { path: { api_key_id: revoking.id } } }));
            reload();
          }}
        >
          <p>Every request with this key is refused from now on, on every instance. This cannot be undone.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
