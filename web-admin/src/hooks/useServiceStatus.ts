import { useCallback, useEffect, useState } from 'react';
import { ApiError, toApiError } from '../api/errors';
import {
  getHealth,
  getReadiness,
  type HealthResponse,
  type ReadinessResponse,
} from '../api/health';

export interface ServiceStatus {
  health: HealthResponse;
  readiness: ReadinessResponse;
  checkedAt: Date;
}

export type ServiceStatusState =
  | { phase: 'loading' }
  | { phase: 'loaded'; data: ServiceStatus }
  | { phase: 'error'; error: ApiError };

export const DEFAULT_REFRESH_MS = 10_000;

async function loadServiceStatus(signal: AbortSignal): Promise<ServiceStatus> {
  const [health, readiness] = await Promise.all([
    getHealth({ signal }),
    getReadiness({ signal }),
  ]);
  return { health, readiness, checkedAt: new Date() };
}

/**
 * Polls /healthz and /readyz. The next poll is scheduled only after the
 * previous one settled, so slow responses never pile up. `retry` shows the
 * loading state and polls immediately.
 */
export function useServiceStatus(refreshMs: number = DEFAULT_REFRESH_MS) {
  const [state, setState] = useState<ServiceStatusState>({ phase: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const scheduleNext = () => {
      timer = setTimeout(() => setAttempt((n) => n + 1), refreshMs);
    };

    loadServiceStatus(controller.signal).then(
      (data) => {
        setState({ phase: 'loaded', data });
        scheduleNext();
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setState({ phase: 'error', error: toApiError(error) });
        scheduleNext();
      },
    );

    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [attempt, refreshMs]);

  const retry = useCallback(() => {
    setState({ phase: 'loading' });
    setAttempt((n) => n + 1);
  }, []);

  return { state, retry };
}
