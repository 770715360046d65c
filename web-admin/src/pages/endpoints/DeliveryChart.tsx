import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { Button } from '../../components/Button';
import { SelectField } from '../../components/Field';
import { ErrorState, LoadingState } from '../../components/States';
import { useAsync } from '../../hooks/useAsync';

type Stats = Schemas['DeliveryStats'];

const WINDOWS = [
  { value: '24', label: 'Last 24 hours' },
  { value: '168', label: 'Last 7 days' },
  { value: '720', label: 'Last 30 days' },
];

const WIDTH = 480;
const HEIGHT = 120;

function label(start: string, seconds: number): string {
  const from = new Date(start);
  const to = new Date(from.getTime() + seconds * 1000);
  const format = (date: Date) =>
    seconds >= 86_400
      ? date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })
      : date.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  return `${format(from)} – ${format(to)}`;
}

/** Stacked bars of succeeded and failed attempts per bucket; every figure is also in text. */
export function AttemptBars({ stats }: { stats: Stats }) {
  const max = Math.max(1, ...stats.buckets.map((bucket) => bucket.succeeded + bucket.failed));
  const slot = WIDTH / stats.buckets.length;
  const rate = stats.succeeded + stats.failed === 0 ? null : Math.round((stats.succeeded / (stats.succeeded + stats.failed)) * 1000) / 10;
  const summary = `${stats.succeeded} succeeded and ${stats.failed} failed attempts${rate === null ? '' : ` (${rate}% success)`}`;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary} preserveAspectRatio="none" className="chart__svg">
        {stats.buckets.map((bucket, n) => {
          const ok = (bucket.succeeded / max) * (HEIGHT - 4);
          const bad = (bucket.failed / max) * (HEIGHT - 4);
          const x = n * slot + 1;
          return (
            <g key={bucket.start}>
              <title>{`${label(bucket.start, stats.bucket_seconds)}: ${bucket.succeeded} succeeded, ${bucket.failed} failed`}</title>
              <rect x={x} width={slot - 2} y={0} height={HEIGHT} className="chart__slot" />
              {ok > 0 && <rect x={x} width={slot - 2} y={HEIGHT - ok} height={ok} className="chart__ok" />}
              {bad > 0 && <rect x={x} width={slot - 2} y={HEIGHT - ok - bad} height={bad} className="chart__bad" />}
            </g>
          );
        })}
        <line x1={0} x2={WIDTH} y1={HEIGHT - 0.5} y2={HEIGHT - 0.5} className="chart__axis" />
      </svg>
      <div className="chart__scale" aria-hidden="true">
        <span>{new Date(stats.since).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })}</span>
        <span>now</span>
      </div>
      <figcaption className="chart__caption">
        <span>
          <span className="chart__key chart__key--ok" aria-hidden="true" /> {stats.succeeded} succeeded
        </span>
        <span>
          <span className="chart__key chart__key--bad" aria-hidden="true" /> {stats.failed} failed
        </span>
        {rate !== null && <span className="muted">{rate}% success</span>}
      </figcaption>
    </figure>
  );
}

/** "How is this endpoint doing?": attempts over time, for the endpoint page. */
export function DeliveryChart({ endpointId }: { endpointId: string }) {
  const [hours, setHours] = useState('24');
  const stats = useAsync(
    (signal) =>
      unwrap(
        api.GET('/api/v1/endpoints/{endpoint_id}/stats', {
          params: { path: { endpoint_id: endpointId }, query: { hours: Number(hours) } },
          signal,
        }),
      ),
    `${endpointId}|${hours}`,
  );
  const state = stats.state;
  return (
    <section className="card page-section" aria-labelledby="chart-title">
      <div className="summary__head">
        <h2 id="chart-title">Attempts over time</h2>
        <div className="toolbar toolbar--compact">
          <SelectField label="Window" options={WINDOWS} value={hours} onChange={(event) => setHours(event.target.value)} />
          <Button size="small" onClick={stats.reload}>
            Refresh
          </Button>
        </div>
      </div>
      {state.phase === 'loading' && <LoadingState label="Loading the chart…" />}
      {state.phase === 'error' && <ErrorState title="The chart could not be loaded" error={state.error} onRetry={stats.reload} />}
      {state.phase === 'loaded' && <AttemptBars stats={state.data} />}
    </section>
  );
}
