/**
 * The signed-in session: the access token (a short-lived JWT) lives in memory only, the refresh
 * token in sessionStorage so a reload of the tab keeps the session (and closing the tab ends it).
 * `authorizedFetch` attaches the access token to every api request and, on a 401, refreshes it
 * once (`POST /api/v1/auth/refresh`, which rotates the refresh token) and retries the request.
 */
import type { TokenResponse } from './contract';
import { isRecord } from './errors';
import { jsonRequest, readJson, sendRaw } from './transport';

export type Role = 'operator' | 'tenant_admin';

/** What the UI needs from the access token's claims (never trusted for security: the api decides). */
export interface SessionClaims {
  accountId: string;
  sessionId: string;
  role: Role;
  /** The tenant of a tenant-admin session; `null` for operators. */
  tenantId: string | null;
  /** Unix seconds. */
  expiresAt: number;
}

export type SessionState =
  | { status: 'anonymous'; ended?: 'expired' | 'logged_out' }
  | { status: 'restoring' }
  | { status: 'active'; claims: SessionClaims };

const REFRESH_KEY = 'roster.refresh_token';
/** Not yet in the generated spec: see contract.ts. */
export const REFRESH_PATH = '/api/v1/auth/refresh';

function base64UrlDecode(part: string): string {
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** Reads the claims of a JWT (sub, sid, role, tenant, exp); `null` when it is not one we understand. */
export function decodeClaims(jwt: string): SessionClaims | null {
  const parts = jwt.split('.');
  if (parts.length !== 3) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(base64UrlDecode(parts[1]));
  } catch {
    return null;
  }
  if (!isRecord(payload)) return null;
  const { sub, sid, role, tenant, exp } = payload;
  if (typeof sub !== 'string' || typeof exp !== 'number') return null;
  if (role !== 'operator' && role !== 'tenant_admin') return null;
  const tenantId = typeof tenant === 'string' ? tenant : null;
  if (role === 'tenant_admin' && !tenantId) return null;
  return { accountId: sub, sessionId: typeof sid === 'string' ? sid : '', role, tenantId, expiresAt: exp };
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
  establish(tokens: TokenResponse): SessionClaims {
    const claims = decodeClaims(tokens.access_token);
    if (!claims) throw new Error('The api returned an access token this app cannot read');
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
      this.establish(await readJson<TokenResponse>(response, REFRESH_PATH));
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
