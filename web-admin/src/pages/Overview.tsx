import type { ReadinessChecks } from '../api/health';
import { ErrorState } from '../components/States';
import { HealthCard } from '../components/HealthCard';
import { StatusBadge } from '../components/Badge';
import { useTitle } from '../hooks/useSession';
import { DEFAULT_REFRESH_MS, useServiceStatus, type ServiceStatus } from '../hooks/useServiceStatus';

const CHECK_ORDER = ['database', 'event_bus', 'cache'];

function orderedChecks(checks: ReadinessChecks) {
  const names = Object.keys(checks).sort((a, b) => {
    const ia = CHECK_ORDER.indexOf(a);
    const ib = CHECK_ORDER.indexOf(b);
    return (ia < 0 ? CHECK_ORDER.length : ia) - (ib < 0 ? CHECK_ORDER.length : ib) || a.localeCompare(b);
  });
  return names.map((name) => [name, checks[name]] as const);
}

function StatusSummary({ data }: { data: ServiceStatus }) {
  const { health, readiness, checkedAt } = data;
  const checks = orderedChecks(readiness.checks);
  const failing = checks.filter(([, check]) => check.status !== 'ok').length;
  const ready = readiness.status === 'ok';
  return (
    <>
      <section className="card summary" aria-labelledby="service-status-title">
        <div className="summary__head">
          <h2 id="service-status-title">Service status</h2>
          <StatusBadge status={readiness.status} label={ready ? 'Ready' : 'Unavailable'} />
        </div>
        <p className="summary__text" aria-live="polite">
          {failing === 0
            ? 'All dependency checks are passing.'
            : `${failing} of ${checks.length} dependency checks failing.`}
        </p>
        <dl className="summary__facts">
          <div>
            <dt>Version</dt>
            <dd>
              <code>{health.version}</code>
            </dd>
          </div>
          <div>
            <dt>Liveness</dt>
            <dd>{health.status === 'ok' ? 'Alive' : health.status}</dd>
          </div>
          <div>
            <dt>Last checked</dt>
            <dd>
              <time dateTime={checkedAt.toISOString()}>{checkedAt.toLocaleTimeString()}</time>
            </dd>
          </div>
        </dl>
      </section>

      <section aria-labelledby="checks-title">
        <h2 id="checks-title" className="section-title">
          Dependencies
        </h2>
        <div className="card-grid">
          {checks.map(([name, check]) => (
            <HealthCard key={name} name={name} check={check} />
          ))}
        </div>
      </section>
    </>
  );
}

interface OverviewProps {
  refreshMs?: number;
}

export function Overview({ refreshMs = DEFAULT_REFRESH_MS }: OverviewProps) {
  useTitle('Status');
  const { state, retry } = useServiceStatus(refreshMs);
  return (
    <div className="page">
      <div className="page__header">
        <h1>Status</h1>
        <p className="muted">
          Health of this Roster deployment. Refreshes every {Math.round(refreshMs / 1000)} s.
        </p>
      </div>
      {state.phase === 'loading' && (
        <p className="card loading" role="status">
          <span className="spinner" aria-hidden="true" />
          Checking…
        </p>
      )}
      {state.phase === 'error' && (
        <ErrorState
          title="Cannot reach the Roster API"
          error={state.error}
          onRetry={retry}
        />
      )}
      {state.phase === 'loaded' && <StatusSummary data={state.data} />}
    </div>
  );
}
