/**
 * The event catalog (the api documents it in the `Event.type` description; it has no route).
 * Endpoints subscribe to types or patterns (`user.*`, `*`).
 */
export const EVENT_TYPES = {
  user: ['user.created', 'user.updated', 'user.deactivated', 'user.reactivated', 'user.deleted'],
  group: ['group.created', 'group.updated', 'group.deleted', 'group.user_added', 'group.user_removed'],
  connection: ['connection.activated', 'connection.deactivated', 'connection.deleted'],
} as const;

export const ALL_EVENT_TYPES: readonly string[] = Object.values(EVENT_TYPES).flat();

export type EventFamily = keyof typeof EVENT_TYPES;
export const EVENT_FAMILIES = Object.keys(EVENT_TYPES) as EventFamily[];

/**
 * The shortest subscription for a selection: `*` for everything, `family.*` for a whole family,
 * else the types themselves.
 */
export function compactSelection(selected: ReadonlySet<string>): string[] {
  if (ALL_EVENT_TYPES.every((type) => selected.has(type))) return ['*'];
  return EVENT_FAMILIES.flatMap((family) => {
    const types = EVENT_TYPES[family];
    return types.every((type) => selected.has(type)) ? [`${family}.*`] : types.filter((type) => selected.has(type));
  });
}

/** The concrete types a subscription (types and patterns) covers. */
export function expandSelection(patterns: readonly string[] | null | undefined): Set<string> {
  if (!patterns || patterns.length === 0) return new Set(ALL_EVENT_TYPES);
  const matches = (type: string) =>
    patterns.some((pattern) => pattern === '*' || pattern === type || (pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1))));
  return new Set(ALL_EVENT_TYPES.filter(matches));
}
