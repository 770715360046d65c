import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { StatusBadge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { DataTable } from '../../components/DataTable';
import { SelectField, TextField } from '../../components/Field';
import { ShortId, Time } from '../../components/Format';
import { PagedView } from '../../components/PagedView';
import { EmptyState, InlineError } from '../../components/States';
import { usePagedList } from '../../hooks/usePagedList';
import { useAction } from '../../hooks/useAction';

type Delivery = Schemas['DeliveryView'];

const STATUS_OPTIONS = [
  { value: '', label: 'Any status' },
  { value: 'failed', label: 'Failed' },
  { value: 'retrying', label: 'Retrying' },
  { value: 'pending', label: 'Pending' },
  { value: 'succeeded', label: 'Succeeded' },
];

export const DELIVERIES_PAGE_SIZE = 25;

/** `datetime-local` value for a date, in local time. */
function localInput(date: Date): string {
  const offset = date.getTimezoneOffset() * 60_000;
  return new Date(date.getTime() - offset).toISOString().slice(0, 16);
}

function RecoverForm({ endpointId, onRecovered }: { endpointId: string; onRecovered: () => void }) {
  const [since, setSince] = useState(() => localInput(new Date(Date.now() - 24 * 3600_000)));
  const { busy, error, run } = useAction();
  const [queued, setQueued] = useState<number | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setQueued(null);
    return run(async () => {
      const at = new Date(since);
      const result = await unwrap(
        api.POST('/api/v1/endpoints/{endpoint_id}/recover', { params: { path: { endpoint_id: endpointId } }, body: { since: at.toISOString() } }),
      );
      setQueued(result.queued);
      onRecovered();
    });
  };
  return (
    <form className="inline-form" onSubmit={submit}>
      <TextField
        label="Retry every failed delivery since"
        type="datetime-local"
        required
        value={since}
        onChange={(event) => setSince(event.target.value)}
      />
      <Button type="submit" busy={busy}>
        Recover
      </Button>
      <div aria-live="polite" className="inline-form__result">
        {queued !== null && `${queued} failed ${queued === 1 ? 'delivery' : 'deliveries'} queued again.`}
      </div>
      <InlineError error={error} />
    </form>
  );
}

export function EndpointDeliveries({ endpointId }: { endpointId: string }) {
  const [status, setStatus] = useState('');
  const list = usePagedList(
    (after, signal) =>
      unwrap(
        api.GET('/api/v1/endpoints/{endpoint_id}/deliveries', {
          params: { path: { endpoint_id: endpointId }, query: { status: status || undefined, after, limit: DELIVERIES_PAGE_SIZE } },
          signal,
        }),
      ),
    `${endpointId}|${status}`,
  );
  return (
    <section className="page-section" aria-labelledby="deliveries-title">
      <div className="summary__head">
        <h2 id="deliveries-title">Deliveries</h2>
        <Button size="small" onClick={list.reload}>
          Refresh
        </Button>
      </div>
      <div className="toolbar">
        <SelectField label="Status" options={STATUS_OPTIONS} value={status} onChange={(event) => setStatus(event.target.value)} />
        <RecoverForm endpointId={endpointId} onRecovered={list.reload} />
      </div>
      <PagedView
        list={list}
        loading="Loading deliveries…"
        errorTitle="Deliveries could not be loaded"
        empty={
          <EmptyState title={status ? `No ${status} deliveries` : 'No deliveries yet'}>
            Deliveries appear here as soon as an event matches this endpoint. Send a test event to try it.
          </EmptyState>
        }
      >
        {(deliveries) => (
          <DataTable<Delivery>
            caption="Deliveries, newest first"
            rows={deliveries}
            rowKey={(delivery) => delivery.id}
            columns={[
              {
                header: 'Event',
                cell: (delivery) => (
                  <Link to={`/deliveries/${delivery.id}`} className="cell-link">
                    <code>{delivery.event_type}</code>
                  </Link>
                ),
              },
              { header: 'Status', cell: (delivery) => <StatusBadge status={delivery.status} /> },
              { header: 'Attempts', cell: (delivery) => delivery.attempts, numeric: true },
              { header: 'Last attempt', cell: (delivery) => <Time value={delivery.last_attempt_at} />, optional: true },
              { header: 'Next attempt', cell: (delivery) => <Time value={delivery.next_attempt_at} />, optional: true },
              { header: 'Event id', cell: (delivery) => <ShortId id={delivery.event_id} />, optional: true },
            ]}
          />
        )}
      </PagedView>
    </section>
  );
}
