import { useState } from 'react';
import { useAsync } from './useAsync';

export interface CursorPage<T> {
  data: T[];
  next_cursor?: string | null;
}

/**
 * Cursor paging over a list route (`after` + `next_cursor`): Next follows the cursor, Previous
 * goes back through the cursors already seen. `key` captures the filters: changing it starts
 * again from the first page.
 */
export function usePagedList<T>(
  fetchPage: (after: string | undefined, signal: AbortSignal) => Promise<CursorPage<T>>,
  key: string,
  /** Whether a next page may exist; by default when `next_cursor` is set. */
  hasMore: (page: CursorPage<T>) => boolean = (page) => Boolean(page.next_cursor),
) {
  const [cursors, setCursors] = useState<{ key: string; stack: (string | undefined)[] }>({ key, stack: [undefined] });
  const stack = cursors.key === key ? cursors.stack : [undefined];
  if (cursors.key !== key) setCursors({ key, stack });
  const after = stack[stack.length - 1];
  const { state, reload } = useAsync((signal) => fetchPage(after, signal), `${key}\u0000${after ?? ''}`);

  const nextCursor = state.phase === 'loaded' && hasMore(state.data) ? state.data.next_cursor : undefined;
  const next = () => {
    if (nextCursor) setCursors({ key, stack: [...stack, nextCursor] });
  };
  const previous = () => {
    if (stack.length > 1) setCursors({ key, stack: stack.slice(0, -1) });
  };

  return {
    state,
    reload,
    page: stack.length,
    hasPrevious: stack.length > 1,
    hasNext: Boolean(nextCursor),
    next,
    previous,
  };
}
