import { CORE_ATTRIBUTES as A, type IdpGuide } from '../types';

export const google: IdpGuide = {
  id: 'google',
  name: 'Google Workspace',
  summary:
    'Google Workspace only provisions to apps in its own catalog, so connect it through a SCIM bridge that reads your directory and writes to Roster.',
  before:
    'You need a Google Workspace super admin, and a SCIM bridge: a directory-sync tool that reads the Admin SDK Directory API (or an IdP such as Okta or Entra ID that imports from Google and provisions over SCIM).',
  steps: [
    {
      title: 'Let the bridge read your directory',
      text: [
        'In the Google Admin console, open ',
        { ui: 'Security → Access and data control → API controls' },
        ' and click ',
        { ui: 'Manage Domain Wide Delegation' },
        '. Click ',
        { ui: 'Add new' },
        ', enter the bridge’s service account ',
        { ui: 'Client ID' },
        ' and these OAuth scopes:',
        { code: 'https://www.googleapis.com/auth/admin.directory.user.readonly' },
        ', ',
        { code: 'https://www.googleapis.com/auth/admin.directory.group.readonly' },
        ', then click ',
        { ui: 'Authorize' },
        '.',
      ],
    },
    {
      title: 'Point the bridge at Roster',
      text: [
        'In the bridge’s configuration, set the SCIM endpoint (base URL) and the bearer token below. Use ',
        { code: 'primaryEmail' },
        ' as ',
        { code: 'userName' },
        '.',
      ],
      paste: [
        { field: 'SCIM base URL', value: 'base_url' },
        { field: 'Bearer token', value: 'token' },
      ],
    },
    {
      title: 'Choose who is synced',
      text: [
        'Limit the bridge to the organizational units or groups that should reach Roster, and let it push groups with their members.',
      ],
    },
    {
      title: 'Run the first sync',
      text: [
        'Start a sync in the bridge. Suspended users in Google are sent with ',
        { code: 'active: false' },
        ' and Roster deactivates them.',
      ],
    },
  ],
  mapping: [
    { scim: A.userName, source: 'primaryEmail', required: true },
    { scim: A.givenName, source: 'name.givenName' },
    { scim: A.familyName, source: 'name.familyName' },
    { scim: A.email, source: 'primaryEmail' },
    { scim: A.active, source: 'not suspended' },
    { scim: A.externalId, source: 'id' },
    { scim: 'Group displayName', source: 'group name' },
  ],
};
