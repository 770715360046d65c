import { useCallback, useState } from 'react';

/**
 * A user-started action (a button that calls the api): `busy` while it runs, `error` when it
 * failed (cleared when it runs again). `run` resolves either way; the error is in state.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run };
}
