import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { Button } from '../../components/Button';
import { DataTable, Pager } from '../../components/DataTable';
import { Dialog } from '../../components/Dialog';
import { TextField } from '../../components/Field';
import { Time } from '../../components/Format';
import { PageHeader } from '../../components/PageHeader';
import { EmptyState, ErrorState, InlineError, LoadingState } from '../../components/States';
import { usePagedList } from '../../hooks/usePagedList';
import { useTitle } from '../../hooks/useSession';

type Tenant = Schemas['TenantView'];

export const TENANTS_PAGE_SIZE = 25;

function CreateTenantDialog({ onClose }: { onClose: () => void }) {
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [externalId, setExternalId] = useState('');
  const [nameError, setNameError] = useState<string>();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) {
      setNameError('Enter the organization’s name.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const tenant = await unwrap(
        api.POST('/api/v1/tenants', { body: { name: name.trim(), external_id: externalId.trim() || null } }),
      );
      navigate(`/tenants/${tenant.id}`);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };
  return (
    <Dialog title="Create a tenant" onClose={onClose}>
      <form className="form" onSubmit={submit} noValidate>
        <TextField label="Name" required value={name} error={nameError} onChange={(e) => setName(e.target.value)} data-autofocus />
        <TextField
          label="External id (optional)"
          hint="Your app’s own id for this organization; events carry it as tenant_external_id."
          value={externalId}
          onChange={(e) => setExternalId(e.target.value)}
        />
        <InlineError error={error} />
        <div className="dialog__footer">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={busy}>
            Create tenant
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

export function TenantsPage() {
  useTitle('Tenants');
  const [params, setParams] = useSearchParams();
  const search = params.get('search') ?? '';
  const [draft, setDraft] = useState(search);
  const [creating, setCreating] = useState(false);
  const list = usePagedList(
    (after, signal) =>
      unwrap(api.GET('/api/v1/tenants', { params: { query: { search: search || undefined, after, limit: TENANTS_PAGE_SIZE } }, signal })),
    search,
  );
  const { state } = list;
  const create = (
    <Button variant="primary" onClick={() => setCreating(true)}>
      Create tenant
    </Button>
  );
  return (
    <div className="page">
      <PageHeader title="Tenants" description="Your customers’ organizations. Each has its directory connections and setup links." actions={create} />
      <form
        className="toolbar"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          setParams(draft.trim() ? { search: draft.trim() } : {}, { replace: true });
        }}
      >
        <TextField label="Search by name or external id" type="search" value={draft} onChange={(e) => setDraft(e.target.value)} />
        <Button type="submit">Search</Button>
      </form>
      {state.phase === 'loading' && <LoadingState label="Loading tenants…" />}
      {state.phase === 'error' && <ErrorState title="Tenants could not be loaded" error={state.error} onRetry={list.reload} />}
      {state.phase === 'loaded' && state.data.data.length === 0 && (
        <EmptyState title={search ? 'No tenant matches' : 'No tenants yet'} action={search ? undefined : create}>
          {search ? `Nothing is named like “${search}”.` : 'Create a tenant for each customer organization that connects a directory.'}
        </EmptyState>
      )}
      {state.phase === 'loaded' && state.data.data.length > 0 && (
        <DataTable<Tenant>
          caption="Tenants"
          rows={state.data.data}
          rowKey={(tenant) => tenant.id}
          columns={[
            {
              header: 'Name',
              cell: (tenant) => (
                <Link className="cell-link" to={`/tenants/${tenant.id}`}>
                  {tenant.name}
                </Link>
              ),
            },
            { header: 'External id', cell: (tenant) => (tenant.external_id ? <code>{tenant.external_id}</code> : '—') },
            { header: 'Created', cell: (tenant) => <Time value={tenant.created_at} />, optional: true },
          ]}
        />
      )}
      <Pager page={list.page} hasPrevious={list.hasPrevious} hasNext={list.hasNext} onPrevious={list.previous} onNext={list.next} />
      {creating && <CreateTenantDialog onClose={() => setCreating(false)} />}
    </div>
  );
}
