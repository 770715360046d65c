import { ApiError, errorFromResponse, pathOf } from './errors';

export const DEFAULT_TIMEOUT_MS = 15_000;

/** Where the api is: the admin app is served by the api itself (or proxied by `vite dev`). */
export function apiOrigin(): string {
  return globalThis.location?.origin ?? 'http://localhost';
}

/**
 * Sends one request. A network failure or no answer within `timeoutMs` becomes an `ApiError`
 * (`network` / `timeout`); an abort by the caller (the request's own signal) is rethrown as is.
 * The response is returned whatever its status.
 */
export async function sendRaw(request: Request, timeoutMs: number = DEFAULT_TIMEOUT_MS): Promise<Response> {
  const path = pathOf(request.url);
  const timer = new AbortController();
  const handle = setTimeout(() => timer.abort(), timeoutMs);
  try {
    const signal = AbortSignal.any([request.signal, timer.signal]);
    return await fetch(new Request(request, { signal }));
  } catch (cause) {
    if (request.signal.aborted) throw cause;
    if (timer.signal.aborted) {
      throw new ApiError('timeout', path, `No response from ${path} within ${Math.round(timeoutMs / 1000)} s`);
    }
    throw new ApiError('network', path, `Could not reach the Roster API (${path})`);
  } finally {
    clearTimeout(handle);
  }
}

/** A JSON request to the api (relative `path`), as the hand-written calls build them. */
export function jsonRequest(method: string, path: string, body?: unknown, signal?: AbortSignal): Request {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return new Request(new URL(path, apiOrigin()), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
}

/**
 * Reads a response: 2xx → its JSON body (`undefined` when empty, e.g. 204); anything else → an
 * `ApiError` carrying the problem's detail, request id and `Retry-After`.
 */
export async function readJson<T>(response: Response, path: string): Promise<T> {
  const text = await response.text();
  let body: unknown = undefined;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      if (response.ok) throw new ApiError('parse', path, `${pathOf(path)} did not return JSON`, { status: response.status });
    }
  }
  if (!response.ok) throw errorFromResponse(response, body, path);
  return body as T;
}
