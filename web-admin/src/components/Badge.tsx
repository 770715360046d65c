export type Tone = 'ok' | 'bad' | 'warn' | 'neutral' | 'info';

const ICONS: Record<Tone, string> = { ok: '✓', bad: '✕', warn: '!', neutral: '•', info: '•' };

/** Known statuses across the api (health checks, deliveries, endpoints, connections, tokens). */
const STATUSES: Record<string, { tone: Tone; label: string }> = {
  ok: { tone: 'ok', label: 'OK' },
  error: { tone: 'bad', label: 'Error' },
  unavailable: { tone: 'bad', label: 'Unavailable' },
  succeeded: { tone: 'ok', label: 'Succeeded' },
  failed: { tone: 'bad', label: 'Failed' },
  retrying: { tone: 'warn', label: 'Retrying' },
  pending: { tone: 'neutral', label: 'Pending' },
  enabled: { tone: 'ok', label: 'Enabled' },
  disabled: { tone: 'bad', label: 'Disabled' },
  active: { tone: 'ok', label: 'Active' },
  inactive: { tone: 'neutral', label: 'Inactive' },
  revoked: { tone: 'bad', label: 'Revoked' },
  expired: { tone: 'neutral', label: 'Expired' },
};

interface BadgeProps {
  tone?: Tone;
  children: React.ReactNode;
}

/** Colour is decoration: the text and the icon carry the meaning. */
export function Badge({ tone = 'neutral', children }: BadgeProps) {
  return (
    <span className={`badge badge--${tone}`}>
      <span className="badge__icon" aria-hidden="true">
        {ICONS[tone]}
      </span>
      {children}
    </span>
  );
}

interface StatusBadgeProps {
  status: string;
  /** Overrides the default text; status is always conveyed as text. */
  label?: string;
}

export function StatusBadge({ status, label }: StatusBadgeProps) {
  const known = STATUSES[status];
  return <Badge tone={known?.tone ?? 'neutral'}>{label ?? known?.label ?? status}</Badge>;
}
