import { vi } from 'vitest';
import type { SessionTokens } from '../api/auth';
import type { ReadinessResponse } from '../api/health';

export const HEALTH_OK = { status: 'ok', version: '0.1.0' };

export const READY_OK: ReadinessResponse = {
  status: 'ok',
  version: '0.1.0',
  checks: {
    database: { status: 'ok', backend: 'sqlite' },
    event_bus: { status: 'ok', backend: 'in-process' },
    cache: { status: 'ok', backend: 'memory' },
  },
};

export const READY_DB_DOWN: ReadinessResponse = {
  status: 'unavailable',
  version: '0.1.0',
  checks: {
    database: {
      status: 'error',
      backend: 'postgres',
      error: 'connection refused (os error 111)',
    },
    event_bus: { status: 'ok', backend: 'rabbitmq' },
    cache: { status: 'ok', backend: 'redis' },
  },
};

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

export function problemResponse(
  status: number,
  type: string,
  detail: string,
  headers: Record<string, string> = {},
): Response {
  const body = {
    type: `https://roster.dev/problems/${type}`,
    title: type,
    status,
    detail,
    request_id: `req-${status}`,
  };
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/problem+json', 'x-request-id': `req-${status}`, ...headers },
  });
}

type Handler = (request: Request) => Response | Promise<Response>;
type Route = Handler | Response;

/**
 * Stubs global fetch. Keys are `path` (any method) or `METHOD path`; a missing route is a 404
 * problem. Every request is recorded as a `Request` in `calls` (bodies readable via clone).
 */
export function mockFetch(routes: Record<string, Route>) {
  const calls: Request[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request =
      input instanceof Request && !init ? input : new Request(new URL(String(input instanceof Request ? input.url : input), 'http://localhost'), init);
    calls.push(request.clone());
    const path = new URL(request.url).pathname;
    const route = routes[`${request.method} ${path}`] ?? routes[path];
    if (!route) return problemResponse(404, 'not-found', `no route ${request.method} ${path}`);
    return typeof route === 'function' ? route(request) : route.clone();
  });
  vi.stubGlobal('fetch', fetchMock);
  return Object.assign(fetchMock, { calls });
}

/** A session as login, refresh and redeem answer it (`SessionTokens`); `n` numbers the tokens. */
export function tokens(role: 'operator' | 'tenant_admin', tenant: string | null = null, n = 1): SessionTokens {
  return {
    access_token: `access-${n}`,
    refresh_token: `refresh-${n}`,
    token_type: 'Bearer',
    expires_in: 900,
    session_expires_at: '2027-01-01T00:00:00Z',
    session: {
      session_id: 'sid-1',
      role,
      tenant_id: tenant,
      account_id: role === 'operator' ? 'acc-1' : null,
      label: role === 'operator' ? 'ops@example.com' : 'setup link',
    },
  };
}
