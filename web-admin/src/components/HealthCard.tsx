import { useId } from 'react';
import type { ReadinessCheck } from '../api/health';
import { StatusBadge } from './Badge';

const CHECK_NAMES: Record<string, string> = {
  database: 'Database',
  event_bus: 'Event bus',
  cache: 'Cache',
};

export function checkDisplayName(name: string): string {
  const known = CHECK_NAMES[name];
  if (known) return known;
  const words = name.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

interface HealthCardProps {
  name: string;
  check: ReadinessCheck;
}

export function HealthCard({ name, check }: HealthCardProps) {
  const headingId = useId();
  const failing = check.status !== 'ok';
  return (
    <article
      className={`card health-card${failing ? ' health-card--failing' : ''}`}
      aria-labelledby={headingId}
    >
      <header className="health-card__header">
        <h3 id={headingId}>{checkDisplayName(name)}</h3>
        <StatusBadge status={check.status} />
      </header>
      <dl className="health-card__details">
        <div>
          <dt>Backend</dt>
          <dd>
            <code>{check.backend}</code>
          </dd>
        </div>
      </dl>
      {check.error && (
        <p className="health-card__error">
          <span className="visually-hidden">Error: </span>
          {check.error}
        </p>
      )}
    </article>
  );
}
