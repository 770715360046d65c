/**
 * Small typed client for the Roster api. Requests go to the same origin the
 * admin app is served from (the api serves it at /admin; `vite dev` proxies).
 */

export type CheckStatus = 'ok' | 'error';

export interface HealthResponse {
  status: 'ok';
  version: string;
}

export interface ReadinessCheck {
  status: CheckStatus;
  /** e.g. "sqlite" | "postgres", "in-process" | "rabbitmq", "memory" | "redis" */
  backend: string;
  error?: string;
}

export interface ReadinessChecks {
  database: ReadinessCheck;
  event_bus: ReadinessCheck;
  cache: ReadinessCheck;
  [name: string]: ReadinessCheck;
}

export interface ReadinessResponse {
  status: 'ok' | 'unavailable';
  version: string;
  checks: ReadinessChecks;
}

export type ApiErrorKind = 'network' | 'timeout' | 'http' | 'parse';

/** Thrown for every failure except a caller-requested abort. */
export class ApiError extends Error {
  readonly kind: ApiErrorKind;
  readonly path: string;
  readonly status?: number;

  constructor(kind: ApiErrorKind, path: string, message: string, status?: number) {
    super(message);
    this.name = 'ApiError';
    this.kind = kind;
    this.path = path;
    this.status = status;
  }
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** HTTP statuses whose body is a valid payload (2xx is always accepted). */
  acceptStatuses?: readonly number[];
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 8000;

export async function getJson<T>(
  path: string,
  isValid: (body: unknown) => body is T,
  { signal, acceptStatuses = [], timeoutMs = DEFAULT_TIMEOUT_MS }: RequestOptions = {},
): Promise<T> {
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = () => controller.abort();
  if (signal?.aborted) controller.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);

  let response: Response;
  let text: string;
  try {
    response = await fetch(path, {
      headers: { Accept: 'application/json' },
      signal: controller.signal,
    });
    text = await response.text();
  } catch (cause) {
    if (signal?.aborted) throw cause;
    if (timedOut) {
      throw new ApiError('timeout', path, `No response from ${path} within ${timeoutMs / 1000} s`);
    }
    throw new ApiError('network', path, `Could not reach the API (${path})`);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }

  if (!response.ok && !acceptStatuses.includes(response.status)) {
    throw new ApiError('http', path, `${path} returned HTTP ${response.status}`, response.status);
  }

  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError('parse', path, `${path} did not return JSON`, response.status);
  }
  if (!isValid(body)) {
    throw new ApiError('parse', path, `${path} returned an unexpected payload`, response.status);
  }
  return body;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isHealthResponse(body: unknown): body is HealthResponse {
  return isRecord(body) && typeof body.status === 'string' && typeof body.version === 'string';
}

function isReadinessCheck(value: unknown): value is ReadinessCheck {
  return (
    isRecord(value) &&
    typeof value.status === 'string' &&
    typeof value.backend === 'string' &&
    (value.error === undefined || typeof value.error === 'string')
  );
}

export function isReadinessResponse(body: unknown): body is ReadinessResponse {
  return (
    isRecord(body) &&
    typeof body.status === 'string' &&
    typeof body.version === 'string' &&
    isRecord(body.checks) &&
    Object.values(body.checks).every(isReadinessCheck)
  );
}

export function getHealth(options?: RequestOptions): Promise<HealthResponse> {
  return getJson('/healthz', isHealthResponse, options);
}

/** 503 means "not ready" and still carries a readiness body. */
export function getReadiness(options?: RequestOptions): Promise<ReadinessResponse> {
  return getJson('/readyz', isReadinessResponse, { acceptStatuses: [503], ...options });
}
