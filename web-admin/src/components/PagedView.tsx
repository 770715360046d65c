import type { ReactNode } from 'react';
import type { usePagedList } from '../hooks/usePagedList';
import { Pager } from './DataTable';
import { ErrorState, LoadingState } from './States';

export type PagedList<T> = ReturnType<typeof usePagedList<T>>;

interface PagedViewProps<T> {
  list: PagedList<T>;
  /** Shown while a page loads. */
  loading: string;
  /** The error state's title when a page cannot be loaded. */
  errorTitle: string;
  /** Shown when the list has no items (with the filters applied). */
  empty: ReactNode;
  /** The items of the page. */
  children: (items: T[]) => ReactNode;
}

/** A cursor-paged list's loading, error and empty states, its items, and its pager. */
export function PagedView<T>({ list, loading, errorTitle, empty, children }: PagedViewProps<T>) {
  const { state } = list;
  return (
    <>
      {state.phase === 'loading' && <LoadingState label={loading} />}
      {state.phase === 'error' && <ErrorState title={errorTitle} error={state.error} onRetry={list.reload} />}
      {state.phase === 'loaded' && state.data.data.length === 0 && empty}
      {state.phase === 'loaded' && state.data.data.length > 0 && children(state.data.data)}
      <Pager
        page={list.page}
        hasPrevious={list.hasPrevious}
        hasNext={list.hasNext}
        onPrevious={list.previous}
        onNext={list.next}
        busy={state.phase === 'loading'}
      />
    </>
  );
}
