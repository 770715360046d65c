/** Sign-in, setup-link redeem and sign-out, through the typed client. */
import { api, done, unwrap, type Schemas } from './client';
import { sendRaw } from './transport';

export type SessionTokens = Schemas['SessionTokens'];

/** These calls carry no session (and a 401 means bad credentials, not an expired token). */
const anonymous = { fetch: (request: Request) => sendRaw(request) };

/** 401 for bad credentials (same answer whether the email exists), 429 with `Retry-After` when throttled. */
export function login(body: Schemas['Login']): Promise<SessionTokens> {
  return unwrap(api.POST('/api/v1/auth/login', { body, ...anonymous }));
}

/** Exchanges a setup link's token for a tenant-admin session (401 when expired, used or revoked). */
export function redeemSetupLink(token: string): Promise<Schemas['RedeemedSetupLink']> {
  return unwrap(api.POST('/api/v1/setup-links/redeem', { body: { token }, ...anonymous }));
}

/** Revokes the current session on the api. */
export function logout(): Promise<void> {
  return done(api.POST('/api/v1/auth/logout'));
}

