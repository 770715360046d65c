import { entra } from './idps/entra';
import { generic } from './idps/generic';
import { google } from './idps/google';
import { jumpcloud } from './idps/jumpcloud';
import { okta } from './idps/okta';
import { onelogin } from './idps/onelogin';
import type { IdpGuide, ProviderKind } from './types';

/** Every guide, in the order the IdP picker shows them. */
export const GUIDES: readonly IdpGuide[] = [okta, entra, onelogin, jumpcloud, google, generic];

export function guideFor(provider: string): IdpGuide {
  return GUIDES.find((guide) => guide.id === provider) ?? generic;
}

export function isProviderKind(value: string): value is ProviderKind {
  return GUIDES.some((guide) => guide.id === value);
}
