import { describe, expect, it } from 'vitest';
import { jsonResponse, mockFetch, problemResponse, tokens } from '../test/fixtures';
import { api, done, unwrap } from './client';
import { login } from './auth';
import { ApiError, parseRetryAfter } from './errors';
import { session } from './session';

const ENDPOINT = {
  id: 'ep-1',
  url: 'https://app.example.com/hook',
  description: '',
  event_types: ['*'],
  enabled: true,
  ordered: false,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
};

function bearer(request: Request) {
  return request.headers.get('Authorization');
}

async function caught(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected the promise to reject');
}

describe('typed api client', () => {
  it('attaches the access token and returns the typed body', async () => {
    session.establish(tokens('operator'));
    const fetchMock = mockFetch({ 'GET /api/v1/endpoints': () => jsonResponse([ENDPOINT]) });
    const endpoints = await unwrap(api.GET('/api/v1/endpoints'));
    expect(endpoints[0].url).toBe('https://app.example.com/hook');
    expect(bearer(fetchMock.calls[0])).toBe(`Bearer ${tokens('operator').access_token}`);
  });

  it('refreshes once on 401, retries the request with the new token and keeps the body', async () => {
    session.establish(tokens('operator', null, 1));
    const fresh = tokens('operator', null, 2);
    const fetchMock = mockFetch({
      'POST /api/v1/endpoints': async (request) =>
        bearer(request) === `Bearer ${fresh.access_token}`
          ? jsonResponse({ ...ENDPOINT, ...(await request.json()), secret: 'whsec_x' }, 201)
          : problemResponse(401, 'unauthorized', 'the access token expired'),
      'POST /api/v1/auth/refresh': () => jsonResponse(fresh),
    });

    const created = await unwrap(api.POST('/api/v1/endpoints', { body: { url: 'https://b.example.com/h' } }));

    expect(created.url).toBe('https://b.example.com/h');
    expect(fetchMock.calls.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
      'POST /api/v1/endpoints',
      'POST /api/v1/auth/refresh',
      'POST /api/v1/endpoints',
    ]);
    expect(await fetchMock.calls[1].json()).toEqual({ refresh_token: 'refresh-1' });
    expect(sessionStorage.getItem('roster.refresh_token')).toBe('refresh-2');
    expect(session.accessToken).toBe(fresh.access_token);
  });

  it('shares one refresh between concurrent 401s', async () => {
    session.establish(tokens('operator', null, 1));
    const fresh = tokens('operator', null, 2);
    const fetchMock = mockFetch({
      'GET /api/v1/endpoints': (request) =>
        bearer(request) === `Bearer ${fresh.access_token}`
          ? jsonResponse([ENDPOINT])
          : problemResponse(401, 'unauthorized', 'expired'),
      'POST /api/v1/auth/refresh': () => jsonResponse(fresh),
    });
    await Promise.all([unwrap(api.GET('/api/v1/endpoints')), unwrap(api.GET('/api/v1/endpoints'))]);
    expect(fetchMock.calls.filter((r) => r.url.endsWith('/auth/refresh'))).toHaveLength(1);
  });

  it('ends the session when the refresh is refused, and returns the 401 as an error', async () => {
    session.establish(tokens('operator'));
    const fetchMock = mockFetch({
      'GET /api/v1/endpoints': () => problemResponse(401, 'unauthorized', 'session revoked'),
      'POST /api/v1/auth/refresh': () => problemResponse(401, 'unauthorized', 'refresh token reused'),
    });
    const error = await caught(unwrap(api.GET('/api/v1/endpoints')));
    expect(error.status).toBe(401);
    expect(fetchMock.calls).toHaveLength(2);
    expect(session.getState()).toEqual({ status: 'anonymous', ended: 'expired' });
    expect(sessionStorage.getItem('roster.refresh_token')).toBeNull();
  });

  it('does not try to refresh without a session', async () => {
    const fetchMock = mockFetch({
      'GET /api/v1/endpoints': () => problemResponse(401, 'unauthorized', 'missing credentials'),
    });
    const error = await caught(unwrap(api.GET('/api/v1/endpoints')));
    expect(error.problemType).toBe('unauthorized');
    expect(fetchMock.calls).toHaveLength(1);
    expect(bearer(fetchMock.calls[0])).toBeNull();
  });

  it('restores a session after a reload from the refresh token before the first call', async () => {
    sessionStorage.setItem('roster.refresh_token', 'refresh-9');
    const { SessionStore, makeAuthorizedFetch } = await import('./session');
    const store = new SessionStore();
    expect(store.getState().status).toBe('restoring');
    const fresh = tokens('tenant_admin', 'tenant-1', 10);
    const fetchMock = mockFetch({
      'POST /api/v1/auth/refresh': () => jsonResponse(fresh),
      'GET /api/v1/tenants/tenant-1': () => jsonResponse({ id: 'tenant-1' }),
    });
    const response = await makeAuthorizedFetch(store)(new Request(`${location.origin}/api/v1/tenants/tenant-1`));
    expect(response.status).toBe(200);
    expect(bearer(fetchMock.calls[1])).toBe(`Bearer ${fresh.access_token}`);
    expect(store.getState()).toMatchObject({ status: 'active', claims: { role: 'tenant_admin', tenantId: 'tenant-1' } });
  });

  it('turns a problem+json body into an ApiError with detail, type and request id', async () => {
    mockFetch({
      'POST /api/v1/endpoints': () =>
        problemResponse(400, 'validation', 'url: private addresses are refused'),
    });
    const error = await caught(unwrap(api.POST('/api/v1/endpoints', { body: { url: 'http://10.0.0.1/' } })));
    expect(error).toMatchObject({
      kind: 'http',
      status: 400,
      message: 'url: private addresses are refused',
      requestId: 'req-400',
    });
    expect(error.problemType).toBe('validation');
  });

  it('falls back to the x-request-id header and a generic message without a problem body', async () => {
    mockFetch({
      'DELETE /api/v1/endpoints/ep-1': () =>
        new Response('upstream broke', { status: 502, headers: { 'x-request-id': 'rid-7' } }),
    });
    const error = await caught(done(api.DELETE('/api/v1/endpoints/{endpoint_id}', { params: { path: { endpoint_id: 'ep-1' } } })));
    expect(error).toMatchObject({ status: 502, requestId: 'rid-7', problem: undefined });
    expect(error.message).toMatch(/HTTP 502/);
  });

  it('reads Retry-After on a throttled login', async () => {
    mockFetch({
      'POST /api/v1/auth/login': () =>
        problemResponse(429, 'rate-limited', 'too many attempts', { 'Retry-After': '42' }),
    });
    const error = await caught(login({ email: 'a@example.com', password: 'x' }));
    expect(error).toMatchObject({ status: 429, retryAfterSeconds: 42 });
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(30);
  });
});
