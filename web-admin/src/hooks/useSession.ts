import { useEffect, useSyncExternalStore } from 'react';
import { session, type SessionState } from '../api/session';

export function useSession(): SessionState {
  return useSyncExternalStore(session.subscribe, session.getState);
}

/** Sets the document title while a page is shown. */
export function useTitle(title: string) {
  useEffect(() => {
    const previous = document.title;
    document.title = `${title} · Roster`;
    return () => {
      document.title = previous;
    };
  }, [title]);
}
