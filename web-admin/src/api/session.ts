/**
 * The signed-in session: the access token (a short-lived JWT) lives in memory only, the refresh
 * token in sessionStorage so a reload of the tab keeps the session (and closing the tab ends it).
 * `authorizedFetch` attaches the access token to every api request and, on a 401, refreshes it
 * once (`POST /api/v1/auth/refresh`, which rotates the refresh token) and retries the request.
 */
import type { components, paths } from './schema';
import { jsonRequest, readJson, sendRaw } from './transport';

type SessionTokens = components['schemas']['SessionTokens'];
export type Role = components['schemas']['SessionRole'];

/** Who is signed in, as the api described the session (the api decides every access). */
export interface SessionClaims {
  sessionId: string;
  role: Role;
  /** The tenant of a tenant-admin session; `null` for operators. */
  tenantId: string | null;
  /** The account's email, or `setup link`. */
  label: string;
}

export type SessionState =
  | { status: 'anonymous'; ended?: 'expired' | 'logged_out' }
  | { status: 'restoring' }
  | { status: 'active'; claims: SessionClaims };

const REFRESH_KEY = 'roster.refresh_token';
/** Called below the typed client (which sends every request through `authorizedFetch`). */
export const REFRESH_PATH = '/api/v1/auth/refresh' satisfies keyof paths;

function claimsOf(tokens: SessionTokens): SessionClaims {
  const { session_id, role, tenant_id, label } = tokens.session;
  return { sessionId: session_id, role, tenantId: tenant_id ?? null, label };
}

function storage(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

export class SessionStore {
  private access: string | null = null;
  private refreshing: Promise<boolean> | null = null;
  private listeners = new Set<() => void>();
  private state: SessionState;

  constructor() {
    this.state = this.refreshToken() ? { status: 'restoring' } : { status: 'anonymous' };
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getState = (): SessionState => this.state;

  get accessToken(): string | null {
    return this.access;
  }

  private refreshToken(): string | null {
    return storage()?.getItem(REFRESH_KEY) ?? null;
  }

  private setState(state: SessionState) {
    this.state = state;
    this.listeners.forEach((listener) => listener());
  }

  /** Starts a session from a login or setup-link redeem response. */
  establish(tokens: SessionTokens): SessionClaims {
    const claims = claimsOf(tokens);
    this.access = tokens.access_token;
    storage()?.setItem(REFRESH_KEY, tokens.refresh_token);
    this.setState({ status: 'active', claims });
    return claims;
  }

  /** Forgets the session locally (the api side is revoked by logout, or already gone). */
  end(reason?: 'expired' | 'logged_out') {
    this.access = null;
    storage()?.removeItem(REFRESH_KEY);
    this.setState(reason ? { status: 'anonymous', ended: reason } : { status: 'anonymous' });
  }

  /**
   * Gets a new access token with the refresh token. Concurrent callers share one refresh;
   * `staleToken` is the access token a request was refused with: when the session has moved on
   * since, there is nothing to refresh. Resolves `true` when a usable access token is in place.
   */
  refresh(staleToken: string | null = null): Promise<boolean> {
    if (this.access && this.access !== staleToken) return Promise.resolve(true);
    if (!this.refreshing) {
      this.refreshing = this.doRefresh().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  private async doRefresh(): Promise<boolean> {
    const refreshToken = this.refreshToken();
    if (!refreshToken) {
      if (this.state.status !== 'anonymous') this.end('expired');
      return false;
    }
    let response: Response;
    try {
      response = await sendRaw(jsonRequest('POST', REFRESH_PATH, { refresh_token: refreshToken }));
    } catch {
      // The api is unreachable: keep the refresh token for a later try.
      if (this.state.status === 'restoring') this.setState({ status: 'anonymous' });
      return false;
    }
    try {
      this.establish(await readJson<SessionTokens>(response, REFRESH_PATH));
      return true;
    } catch {
      this.end('expired');
      return false;
    }
  }
}

export const session = new SessionStore();

function withToken(request: Request, token: string | null): Request {
  if (token) request.headers.set('Authorization', `Bearer ${token}`);
  return request;
}

/** `fetch` for api calls made on behalf of the signed-in person (used by both clients). */
export function makeAuthorizedFetch(store: SessionStore) {
  return async function authorizedFetch(request: Request): Promise<Response> {
    if (!store.accessToken && store.getState().status === 'restoring') await store.refresh();
    const token = store.accessToken;
    const retry = token ? request.clone() : null;
    const response = await sendRaw(withToken(request, token));
    if (response.status !== 401 || !retry) return response;
    if (!(await store.refresh(token))) return response;
    return sendRaw(withToken(retry, store.accessToken));
  };
}

export const authorizedFetch = makeAuthorizedFetch(session);
