/**
 * API routes the committed openapi.json does not describe yet: operator login and sessions,
 * setup links, the audit log. The types mirror the agreed contract of the identity work
 * (`POST /auth/login|refresh|logout`, `GET /auth/me`, `/tenants/{id}/setup-links`,
 * `POST /setup-links/redeem`, `POST /setup-links/{id}/revoke`, `GET /audit-log`).
 *
 * When the spec gains these paths, `npm run gen:api` puts them in schema.d.ts: replace each
 * function here by a call through the typed client (`api.POST('/api/v1/auth/login', …)`) and
 * delete this module. Nothing else should hand-write api types.
 */
import { authorizedFetch, REFRESH_PATH } from './session';
import { jsonRequest, readJson, sendRaw } from './transport';

/** The answer of login, refresh and setup-link redeem. */
export interface TokenResponse {
  /** JWT (HS256, ~15 min) with claims sub, sid, role, tenant, exp, iat. */
  access_token: string;
  /** Opaque, rotated by every refresh; a reused old one revokes the whole session. */
  refresh_token: string;
  /** Seconds until `access_token` expires. */
  expires_in: number;
  token_type?: string;
}

export interface Credentials {
  email: string;
  password: string;
}

export interface Me {
  id: string;
  email?: string | null;
  role: 'operator' | 'tenant_admin';
  tenant_id?: string | null;
}

export interface CreateSetupLink {
  /** Default 72, at most 720. */
  expires_in_hours?: number;
  /** Default true: the first redeem consumes it. */
  single_use?: boolean;
  /** Where the IT admin is sent back to when done (http or https). */
  return_url?: string | null;
}

export interface SetupLink {
  id: string;
  /** The public url + `/admin/setup/<token>`: only in the create response. */
  url?: string;
  tenant_id?: string;
  expires_at: string;
  single_use: boolean;
  created_at?: string;
  used_at?: string | null;
  revoked_at?: string | null;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor_kind: string;
  actor_id?: string | null;
  actor_label?: string | null;
  tenant_id?: string | null;
  action: string;
  target_kind?: string | null;
  target_id?: string | null;
  ip?: string | null;
  request_id?: string | null;
  details?: unknown;
}

export interface AuditQuery {
  action?: string;
  actor?: string;
  tenant_id?: string;
  since?: string;
  until?: string;
  after?: string;
  limit?: number;
}

export interface Page<T> {
  data: T[];
  next_cursor?: string | null;
}

export const LOGIN_PATH = '/api/v1/auth/login';
export const REDEEM_PATH = '/api/v1/setup-links/redeem';
export { REFRESH_PATH };

function withQuery(path: string, query: object): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

/** Unauthenticated: answers 401 for bad credentials, 429 with `Retry-After` when throttled. */
async function anonymous<T>(path: string, body: unknown): Promise<T> {
  return readJson<T>(await sendRaw(jsonRequest('POST', path, body)), path);
}

async function authorized<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  return readJson<T>(await authorizedFetch(jsonRequest(method, path, body, signal)), path);
}

export function login(credentials: Credentials): Promise<TokenResponse> {
  return anonymous(LOGIN_PATH, credentials);
}

/** Exchanges a setup link's token for a tenant-admin session (401/410 when expired or used). */
export function redeemSetupLink(token: string): Promise<TokenResponse> {
  return anonymous(REDEEM_PATH, { token });
}

/** Revokes the current session on the api. */
export function logout(): Promise<void> {
  return authorized('POST', '/api/v1/auth/logout');
}

export function getMe(signal?: AbortSignal): Promise<Me> {
  return authorized('GET', '/api/v1/auth/me', undefined, signal);
}

export function createSetupLink(tenantId: string, body: CreateSetupLink): Promise<SetupLink> {
  return authorized('POST', `/api/v1/tenants/${encodeURIComponent(tenantId)}/setup-links`, body);
}

export function listSetupLinks(tenantId: string, signal?: AbortSignal): Promise<Page<SetupLink>> {
  return authorized('GET', `/api/v1/tenants/${encodeURIComponent(tenantId)}/setup-links`, undefined, signal);
}

export function revokeSetupLink(id: string): Promise<void> {
  return authorized('POST', `/api/v1/setup-links/${encodeURIComponent(id)}/revoke`);
}

export function listAuditLog(query: AuditQuery, signal?: AbortSignal): Promise<Page<AuditEntry>> {
  return authorized('GET', withQuery('/api/v1/audit-log', query), undefined, signal);
}
