import { describe, expect, it } from 'vitest';
import { HEALTH_OK, READY_DB_DOWN, jsonResponse, mockFetch } from '../test/fixtures';
import { ApiError } from './errors';
import { getHealth, getReadiness } from './health';

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('health client', () => {
  it('returns the parsed health body from the same origin', async () => {
    const fetchMock = mockFetch({ '/healthz': () => jsonResponse(HEALTH_OK) });
    await expect(getHealth()).resolves.toEqual(HEALTH_OK);
    expect(new URL(fetchMock.calls[0].url).pathname).toBe('/healthz');
    expect(new URL(fetchMock.calls[0].url).origin).toBe(location.origin);
  });

  it('accepts a 503 readiness body', async () => {
    mockFetch({ '/readyz': () => jsonResponse(READY_DB_DOWN, 503) });
    await expect(getReadiness()).resolves.toEqual(READY_DB_DOWN);
  });

  it('throws an http ApiError for other non-2xx statuses', async () => {
    mockFetch({ '/healthz': () => jsonResponse({ status: 'down' }, 503) });
    const error = await caught(getHealth());
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ kind: 'http', status: 503 });
  });

  it('throws a network ApiError when fetch rejects', async () => {
    mockFetch({ '/healthz': () => Promise.reject(new TypeError('Failed to fetch')) });
    expect(await caught(getHealth())).toMatchObject({ name: 'ApiError', kind: 'network' });
  });

  it('throws a parse ApiError for non-JSON or malformed bodies', async () => {
    mockFetch({
      '/healthz': () => new Response('<!doctype html><title>admin</title>', { status: 200 }),
      '/readyz': () => jsonResponse({ status: 'ok', version: '0.1.0', checks: { database: 'ok' } }),
    });
    expect(await caught(getHealth())).toMatchObject({ kind: 'parse' });
    expect(await caught(getReadiness())).toMatchObject({ kind: 'parse' });
  });

  it('throws a timeout ApiError when the api does not answer in time', async () => {
    // Like a real fetch: never answers, but rejects once its signal aborts.
    mockFetch({
      '/healthz': (request) =>
        new Promise<Response>((_, reject) => {
          request.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        }),
    });
    expect(await caught(getHealth({ timeoutMs: 10 }))).toMatchObject({ kind: 'timeout' });
  });

  it('rethrows the abort when the caller aborts', async () => {
    mockFetch({ '/healthz': () => Promise.reject(new DOMException('aborted', 'AbortError')) });
    const controller = new AbortController();
    controller.abort();
    const error = await caught(getHealth({ signal: controller.signal }));
    expect(error).not.toBeInstanceOf(ApiError);
  });
});
