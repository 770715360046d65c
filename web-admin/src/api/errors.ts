/**
 * What a failed API call becomes: one `ApiError`, whatever failed (network, timeout, an HTTP
 * error with or without an RFC 7807 problem body, an unexpected payload). The UI shows
 * `message` (the problem's `detail` when there is one) and `requestId` to quote in a report.
 */

/** An RFC 7807 problem as the management API answers every error (`ProblemDetails`). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  request_id?: string | null;
}

export type ApiErrorKind = 'network' | 'timeout' | 'http' | 'parse';

const PROBLEM_PREFIX = 'https://roster.dev/problems/';

export class ApiError extends Error {
  readonly kind: ApiErrorKind;
  readonly path: string;
  readonly status?: number;
  readonly problem?: Problem;
  readonly requestId?: string;
  /** Seconds to wait before trying again (from `Retry-After`), on 429 and 503. */
  readonly retryAfterSeconds?: number;

  constructor(
    kind: ApiErrorKind,
    path: string,
    message: string,
    extra: { status?: number; problem?: Problem; requestId?: string; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.kind = kind;
    this.path = path;
    this.status = extra.status;
    this.problem = extra.problem;
    this.requestId = extra.requestId;
    this.retryAfterSeconds = extra.retryAfterSeconds;
  }

  /** The stable problem type without its URI prefix (`not-found`, `validation`, …). */
  get problemType(): string | undefined {
    const type = this.problem?.type;
    return type?.startsWith(PROBLEM_PREFIX) ? type.slice(PROBLEM_PREFIX.length) : type;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isProblem(body: unknown): body is Problem {
  return (
    isRecord(body) &&
    typeof body.type === 'string' &&
    typeof body.title === 'string' &&
    typeof body.status === 'number' &&
    typeof body.detail === 'string'
  );
}

/** `Retry-After` as seconds: either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** The path (and query) of a URL, for messages: `/api/v1/endpoints?limit=20`. */
export function pathOf(url: string): string {
  const parsed = new URL(url, 'http://localhost');
  return parsed.pathname + parsed.search;
}

/** Turns a non-2xx response (its body already read and parsed when JSON) into an `ApiError`. */
export function errorFromResponse(response: Response, body: unknown, path: string): ApiError {
  const problem = isProblem(body) ? body : undefined;
  const requestId = problem?.request_id ?? response.headers.get('x-request-id') ?? undefined;
  const message = problem?.detail || problem?.title || `${pathOf(path)} returned HTTP ${response.status}`;
  return new ApiError('http', path, message, {
    status: response.status,
    problem,
    requestId,
    retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after')),
  });
}

/** Any thrown value as an `ApiError` (a caller's abort is not converted: check it first). */
export function toApiError(error: unknown, path = ''): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof SyntaxError) {
    return new ApiError('parse', path, `${pathOf(path)} did not return JSON`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ApiError('network', path, message);
}
