import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { api, unwrap, type Schemas } from '../api/client';
import { Button } from '../components/Button';
import { DataTable, Pager } from '../components/DataTable';
import { TextField } from '../components/Field';
import { ShortId, Time } from '../components/Format';
import { PageHeader } from '../components/PageHeader';
import { EmptyState, ErrorState, LoadingState } from '../components/States';
import { usePagedList } from '../hooks/usePagedList';
import { useTitle } from '../hooks/useSession';

type AuditEntry = Schemas['AuditEntry'];

export const AUDIT_PAGE_SIZE = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FILTERS = ['action', 'actor_id', 'tenant_id'] as const;
type Filter = (typeof FILTERS)[number];

/** Who did what, newest first, filtered by action, actor and tenant. */
export function AuditLogPage() {
  useTitle('Audit log');
  const [params, setParams] = useSearchParams();
  const current = Object.fromEntries(FILTERS.map((key) => [key, params.get(key) ?? ''])) as Record<Filter, string>;
  const [draft, setDraft] = useState(current);
  const list = usePagedList(
    (after, signal) =>
      unwrap(
        api.GET('/api/v1/audit-log', {
          params: {
            query: {
              action: current.action || undefined,
              actor_id: current.actor_id || undefined,
              tenant_id: current.tenant_id || undefined,
              after,
              limit: AUDIT_PAGE_SIZE,
            },
          },
          signal,
        }),
      ),
    FILTERS.map((key) => current[key]).join('|'),
  );
  const { state } = list;
  const invalid = (['actor_id', 'tenant_id'] as const).filter((key) => draft[key].trim() && !UUID.test(draft[key].trim()));
  const apply = (event: FormEvent) => {
    event.preventDefault();
    if (invalid.length > 0) return;
    const next = new URLSearchParams();
    FILTERS.forEach((key) => draft[key].trim() && next.set(key, draft[key].trim()));
    setParams(next, { replace: true });
  };
  return (
    <div className="page">
      <PageHeader title="Audit log" description="Sign-ins, setup links, API keys and webhook changes: who did what, newest first." />
      <form className="toolbar" onSubmit={apply}>
        <TextField label="Action" placeholder="endpoint.*" value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })} />
        <TextField
          label="Actor id"
          hint="An API key or account id."
          value={draft.actor_id}
          error={invalid.includes('actor_id') ? 'An id is a UUID.' : undefined}
          onChange={(e) => setDraft({ ...draft, actor_id: e.target.value })}
        />
        <TextField
          label="Tenant id"
          value={draft.tenant_id}
          error={invalid.includes('tenant_id') ? 'An id is a UUID.' : undefined}
          onChange={(e) => setDraft({ ...draft, tenant_id: e.target.value })}
        />
        <Button type="submit">Filter</Button>
      </form>
      {state.phase === 'loading' && <LoadingState label="Loading the audit log…" />}
      {state.phase === 'error' && <ErrorState title="The audit log could not be loaded" error={state.error} onRetry={list.reload} />}
      {state.phase === 'loaded' && state.data.data.length === 0 && <EmptyState title="No entries">Nothing recorded matches these filters.</EmptyState>}
      {state.phase === 'loaded' && state.data.data.length > 0 && (
        <DataTable<AuditEntry>
          caption="Audit log entries"
          rows={state.data.data}
          rowKey={(entry) => entry.id}
          columns={[
            { header: 'When', cell: (entry) => <Time value={entry.at} /> },
            { header: 'Action', cell: (entry) => <code>{entry.action}</code> },
            { header: 'Actor', cell: (entry) => entry.actor_label },
            { header: 'Target', cell: (entry) => (entry.target_id ? <>{entry.target_kind} <ShortId id={entry.target_id} /></> : '—'), optional: true },
            { header: 'IP', cell: (entry) => entry.ip ?? '—', optional: true },
          ]}
        />
      )}
      <Pager page={list.page} hasPrevious={list.hasPrevious} hasNext={list.hasNext} onPrevious={list.previous} onNext={list.next} />
    </div>
  );
}
