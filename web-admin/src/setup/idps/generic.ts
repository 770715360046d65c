import { CORE_ATTRIBUTES as A, type IdpGuide } from '../types';

export const generic: IdpGuide = {
  id: 'generic',
  name: 'Other SCIM 2.0 client',
  summary: 'Any identity provider or tool that speaks SCIM 2.0 (RFC 7643/7644) with a bearer token can provision to Roster.',
  before: 'You need administrator access to the provisioning settings of your identity provider.',
  steps: [
    {
      title: 'Create a SCIM 2.0 connection',
      text: [
        'In your identity provider, add an outbound SCIM 2.0 provisioning target (often called an app, connector or integration).',
      ],
    },
    {
      title: 'Enter the endpoint and credentials',
      text: [
        'Use the SCIM base URL below as the endpoint (it already ends with the connection id; the client adds ',
        { code: '/Users' },
        ' and ',
        { code: '/Groups' },
        '). Authenticate with an HTTP header: ',
        { code: 'Authorization: Bearer <token>' },
        '.',
      ],
      paste: [
        { field: 'SCIM base URL', value: 'base_url' },
        { field: 'Bearer token', value: 'token' },
      ],
    },
    {
      title: 'Match users on userName',
      text: [
        'Set the unique identifier to ',
        { code: 'userName' },
        ' (usually the work email). Roster matches it case-insensitively and answers ',
        { code: 'filter=userName eq "…"' },
        ' lookups.',
      ],
    },
    {
      title: 'Enable the provisioning actions',
      text: [
        'Enable create, update (PUT or PATCH) and deactivate (',
        { code: 'active: false' },
        '), and group push with members. Roster also supports delete, ',
        { code: '/Bulk' },
        ' and ',
        { code: '.search' },
        '.',
      ],
    },
    {
      title: 'Test the connection',
      text: [
        'Most clients test with ',
        { code: 'GET /ServiceProviderConfig' },
        ' or a user lookup; either appears below once it reaches Roster.',
      ],
    },
  ],
  mapping: [
    { scim: A.userName, source: 'Unique login (work email)', required: true },
    { scim: A.givenName, source: 'First name' },
    { scim: A.familyName, source: 'Last name' },
    { scim: A.email, source: 'Work email' },
    { scim: A.displayName, source: 'Display name' },
    { scim: A.active, source: 'Account enabled' },
    { scim: A.externalId, source: 'The IdP’s own id' },
  ],
};
