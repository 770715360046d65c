/**
 * The typed api client: every path, parameter and body comes from schema.d.ts, generated from
 * the committed openapi.json (`npm run gen:api`; `npm run check:api` fails when it is stale),
 * so the UI cannot drift from the api. Requests carry the session's access token and are
 * retried once after a refresh on 401 (see session.ts). Failures become `ApiError`s.
 */
import createClient from 'openapi-fetch';
import { ApiError, errorFromResponse, toApiError } from './errors';
import type { components, paths } from './schema';
import { authorizedFetch } from './session';
import { apiOrigin } from './transport';

export type Schemas = components['schemas'];

export const api = createClient<paths>({
  baseUrl: apiOrigin(),
  fetch: (request: Request) => authorizedFetch(request),
});

export interface Outcome<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Awaits a call; throws `ApiError` for transport failures (not for HTTP errors). */
export async function settle<T>(pending: Promise<Outcome<T>>): Promise<Outcome<T>> {
  try {
    return await pending;
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw toApiError(error);
  }
}

/** The body of a successful call; any failure is thrown as an `ApiError`. */
export async function unwrap<T>(pending: Promise<Outcome<T>>): Promise<T> {
  const { data, error, response } = await settle(pending);
  if (!response.ok) throw errorFromResponse(response, error, response.url);
  if (data === undefined) {
    throw new ApiError('parse', response.url, 'The api answered without a body', { status: response.status });
  }
  return data;
}

/** For calls answered without a body (204 No Content, 202 Accepted). */
export async function done(pending: Promise<Outcome<unknown>>): Promise<void> {
  const { error, response } = await settle(pending);
  if (!response.ok) throw errorFromResponse(response, error, response.url);
}
