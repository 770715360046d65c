/** Liveness and readiness of the deployment (`/healthz`, `/readyz`), through the typed client. */
import { api, settle, unwrap, type Schemas } from './client';
import { ApiError, errorFromResponse, isRecord } from './errors';
import { sendRaw } from './transport';

export type HealthResponse = Schemas['Health'];
export type ReadinessCheck = Schemas['CheckStatus'];
export type ReadinessResponse = Schemas['Readiness'];
export type ReadinessChecks = ReadinessResponse['checks'];

export interface RequestOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

function options({ signal, timeoutMs }: RequestOptions) {
  return { signal, fetch: (request: Request) => sendRaw(request, timeoutMs) };
}

export function isHealthResponse(body: unknown): body is HealthResponse {
  return isRecord(body) && typeof body.status === 'string' && typeof body.version === 'string';
}

function isReadinessCheck(value: unknown): value is ReadinessCheck {
  return (
    isRecord(value) &&
    typeof value.status === 'string' &&
    typeof value.backend === 'string' &&
    (value.error === undefined || value.error === null || typeof value.error === 'string')
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

function checked<T>(body: T, valid: (body: unknown) => boolean, path: string): T {
  if (!valid(body)) throw new ApiError('parse', path, `${path} returned an unexpected payload`);
  return body;
}

export async function getHealth(opts: RequestOptions = {}): Promise<HealthResponse> {
  return checked(await unwrap(api.GET('/healthz', options(opts))), isHealthResponse, '/healthz');
}

/** 503 means "not ready" and still carries a readiness body. */
export async function getReadiness(opts: RequestOptions = {}): Promise<ReadinessResponse> {
  const { data, error, response } = await settle(api.GET('/readyz', options(opts)));
  if (response.status === 503) return checked(error as ReadinessResponse, isReadinessResponse, '/readyz');
  if (!response.ok) throw errorFromResponse(response, error, '/readyz');
  return checked(data as ReadinessResponse, isReadinessResponse, '/readyz');
}
