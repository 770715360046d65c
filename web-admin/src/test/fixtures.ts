import { vi } from 'vitest';
import type { ReadinessResponse } from '../api/client';

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

export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

type Route = ((init?: RequestInit) => Response | Promise<Response>) | Response;

/** Stubs global fetch; each path maps to a response (factory) or is a 404. */
export function mockFetch(routes: Record<string, Route>) {
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const route = routes[new URL(url, 'http://localhost').pathname];
    if (!route) return new Response('not found', { status: 404 });
    return typeof route === 'function' ? route(init) : route.clone();
  });
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}
