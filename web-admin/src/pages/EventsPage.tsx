import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { api, unwrap, type Schemas } from '../api/client';
import { EVENT_FAMILIES, EVENT_TYPES } from '../api/eventTypes';
import { Badge } from '../components/Badge';
import { SelectField, TextField } from '../components/Field';
import { JsonView, ShortId, Time } from '../components/Format';
import { PageHeader } from '../components/PageHeader';
import { PagedView } from '../components/PagedView';
import { EmptyState } from '../components/States';
import { usePagedList } from '../hooks/usePagedList';
import { useTitle } from '../hooks/useSession';

type Event = Schemas['Event'];

export const EVENTS_PAGE_SIZE = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const TYPE_OPTIONS = [
  { value: '', label: 'All types' },
  ...EVENT_FAMILIES.flatMap((family) => [
    { value: `${family}.*`, label: `All ${family} events` },
    ...EVENT_TYPES[family].map((type) => ({ value: type, label: `\u00a0\u00a0${type}` })),
  ]),
];

function EventItem({ event }: { event: Event }) {
  return (
    <li className="event-item card">
      <details>
        <summary>
          <Badge tone="info">{event.type}</Badge> <Time value={event.created_at} />{' '}
          <span className="muted">
            tenant {event.tenant_external_id ?? <ShortId id={event.tenant_id} />} · sequence {event.sequence}
          </span>
        </summary>
        <JsonView label={`Event ${event.id}`} value={event} />
      </details>
    </li>
  );
}

/** The event feed (oldest first, as the api pages it), filtered by type and tenant. */
export function EventsPage() {
  useTitle('Events');
  const [params, setParams] = useSearchParams();
  const types = params.get('types') ?? '';
  const tenant = params.get('tenant_id') ?? '';
  const [tenantDraft, setTenantDraft] = useState(tenant);
  const tenantValid = tenantDraft.trim() === '' || UUID.test(tenantDraft.trim());

  const setFilter = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };

  const list = usePagedList(
    (after, signal) =>
      unwrap(
        api.GET('/api/v1/events', {
          params: { query: { types: types || undefined, tenant_id: tenant || undefined, after, limit: EVENTS_PAGE_SIZE } },
          signal,
        }),
      ),
    `${types}|${tenant}`,
    // The feed never ends (its cursor is always set): a full page means more may be waiting.
    (page) => page.data.length === EVENTS_PAGE_SIZE,
  );

  return (
    <div className="page">
      <PageHeader title="Events" description="Every change Roster recorded, in feed order (oldest first). Open one to see its exact webhook body." />
      <form
        className="toolbar"
        onSubmit={(event) => {
          event.preventDefault();
          if (tenantValid) setFilter('tenant_id', tenantDraft.trim());
        }}
      >
        <SelectField label="Type" options={TYPE_OPTIONS} value={types} onChange={(event) => setFilter('types', event.target.value)} />
        <TextField
          label="Tenant id"
          value={tenantDraft}
          error={tenantValid ? undefined : 'A tenant id is a UUID.'}
          onChange={(event) => setTenantDraft(event.target.value)}
          onBlur={() => tenantValid && setFilter('tenant_id', tenantDraft.trim())}
        />
      </form>
      <PagedView
        list={list}
        loading="Loading events…"
        errorTitle="Events could not be loaded"
        empty={
          <EmptyState title="No events">
            {types || tenant ? 'No event matches these filters.' : 'Events appear when an identity provider sends its first change.'}
          </EmptyState>
        }
      >
        {(events) => (
          <ul className="event-list" aria-label="Events">
            {events.map((event) => (
              <EventItem key={event.id} event={event} />
            ))}
          </ul>
        )}
      </PagedView>
    </div>
  );
}
