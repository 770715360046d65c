import { useCallback, useEffect, useState } from 'react';

export type AsyncState<T> =
  | { phase: 'loading' }
  | { phase: 'loaded'; data: T }
  | { phase: 'error'; error: unknown };

const LOADING = { phase: 'loading' } as const;

/**
 * Runs `load` when `key` changes (and on `reload`), aborting the previous run; until it settles
 * the state is `loading`. `key` must capture every input of `load`.
 */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, key: string) {
  const [attempt, setAttempt] = useState(0);
  const [result, setResult] = useState<{ run: string; state: AsyncState<T> } | null>(null);
  const run = `${attempt}\u0000${key}`;

  useEffect(() => {
    const controller = new AbortController();
    load(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setResult({ run, state: { phase: 'loaded', data } });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setResult({ run, state: { phase: 'error', error } });
      },
    );
    return () => controller.abort();
    // `run` stands for load's inputs.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [run]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  /** Replaces the loaded value after a local change (e.g. the api's answer to an update). */
  const update = useCallback((data: T) => setResult({ run, state: { phase: 'loaded', data } }), [run]);
  const state: AsyncState<T> = result?.run === run ? result.state : LOADING;
  return { state, reload, update };
}
