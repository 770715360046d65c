/**
 * IdP setup guides are data: one module per IdP (setup/idps/*.ts), rendered by one component
 * (SetupGuide). A step's text mixes plain words with UI labels to click (`ui`), literal values
 * to type (`code`) and the connection's own values (`value`), which render as copy fields.
 */

/** Provider kinds of a connection, as the api names them. */
export type ProviderKind = 'okta' | 'entra' | 'onelogin' | 'jumpcloud' | 'google' | 'generic';

/** A value of this connection the IT admin pastes into the IdP. */
export type ConnectionValue = 'base_url' | 'token';

export type Inline =
  | string
  /** A button, menu, tab or field name exactly as the IdP shows it. */
  | { ui: string }
  /** Something to type literally. */
  | { code: string };

export interface Paste {
  /** The IdP's field label. */
  field: string;
  value: ConnectionValue;
}

export interface SetupStep {
  title: string;
  text: Inline[];
  /** Values to paste in this step, shown as copy fields under it. */
  paste?: Paste[];
  /** A warning or tip shown under the step. */
  note?: string;
}

export interface AttributeMapping {
  /** SCIM attribute Roster reads. */
  scim: string;
  /** The IdP's source attribute. */
  source: string;
  required?: boolean;
  note?: string;
}

export interface IdpGuide {
  id: ProviderKind;
  name: string;
  /** One sentence: what the IT admin will do. */
  summary: string;
  /** What is needed before starting (role, plan, licence). */
  before: string;
  steps: SetupStep[];
  mapping: AttributeMapping[];
}

/** The attributes Roster uses, for guides whose IdP maps them the usual way. */
export const CORE_ATTRIBUTES = {
  userName: 'userName',
  givenName: 'name.givenName',
  familyName: 'name.familyName',
  email: 'emails[type eq "work"].value',
  displayName: 'displayName',
  active: 'active',
  externalId: 'externalId',
} as const;
