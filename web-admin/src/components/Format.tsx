/** Small display helpers: times, ids and JSON. */

export function Time({ value, fallback = '—' }: { value?: string | null; fallback?: string }) {
  if (!value) return <>{fallback}</>;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return <>{value}</>;
  return (
    <time dateTime={value} title={date.toISOString()}>
      {date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' })}
    </time>
  );
}

/** A long id shortened for tables; the full value stays available as a tooltip and to screen readers. */
export function ShortId({ id }: { id: string }) {
  return (
    <code title={id} aria-label={id}>
      {id.length > 13 ? `${id.slice(0, 8)}…` : id}
    </code>
  );
}

export function JsonView({ value, label }: { value: unknown; label: string }) {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return (
    <pre className="code-block" tabIndex={0} aria-label={label}>
      <code>{text}</code>
    </pre>
  );
}

/** `1 user`, `2 users`. */
export function plural(count: number, word: string): string {
  return `${count} ${count === 1 ? word : `${word}s`}`;
}
