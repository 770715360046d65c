type Tone = 'ok' | 'bad' | 'neutral';

const TONES: Record<string, { tone: Tone; label: string }> = {
  ok: { tone: 'ok', label: 'OK' },
  error: { tone: 'bad', label: 'Error' },
  unavailable: { tone: 'bad', label: 'Unavailable' },
};

const ICONS: Record<Tone, string> = { ok: '✓', bad: '✕', neutral: '•' };

interface StatusBadgeProps {
  status: string;
  /** Overrides the default text; status is always conveyed as text. */
  label?: string;
}

export function StatusBadge({ status, label }: StatusBadgeProps) {
  const known = TONES[status];
  const tone = known?.tone ?? 'neutral';
  return (
    <span className={`badge badge--${tone}`}>
      <span className="badge__icon" aria-hidden="true">
        {ICONS[tone]}
      </span>
      {label ?? known?.label ?? status}
    </span>
  );
}
