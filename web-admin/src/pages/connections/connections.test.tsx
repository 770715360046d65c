import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { jsonResponse, mockFetch } from '../../test/fixtures';
import { renderApp } from '../../test/render';

const CONNECTION = {
  id: 'conn-1',
  tenant_id: 'tenant-1',
  name: 'Okta',
  provider: 'okta',
  state: 'active',
  scim_base_url: 'http://127.0.0.1:8080/scim/v2/conn-1',
  created_at: '2026-01-01T00:00:00Z',
  last_request_at: '2026-01-02T00:00:00Z',
  user_count: 2,
  group_count: 1,
};

function user(id: string, name: string, active = true) {
  return {
    object: 'user',
    id,
    user_name: name,
    display_name: null,
    first_name: 'Ada',
    last_name: 'Lovelace',
    external_id: null,
    emails: [{ value: name, type: 'work', primary: true }],
    active,
    groups: [{ id: 'group-1', display_name: 'Engineering' }],
    raw: { userName: name },
  };
}

const TOKEN = { id: 'tok-1', connection_id: 'conn-1', prefix: 'scim_ab12', created_at: '2026-01-01T00:00:00Z' };

describe('connection page', () => {
  it('lists, searches and filters users, and opens one with its groups', async () => {
    const fetchMock = mockFetch({
      'GET /api/v1/tenants/tenant-1': () => jsonResponse({ id: 'tenant-1', name: 'Acme' }),
      'GET /api/v1/connections/conn-1': () => jsonResponse(CONNECTION),
      'GET /api/v1/connections/conn-1/users': (request) => {
        const query = new URL(request.url).searchParams;
        if (query.get('search') === 'nobody') return jsonResponse({ data: [], next_cursor: null });
        if (query.get('state') === 'inactive') return jsonResponse({ data: [user('u-2', 'bob@acme.test', false)], next_cursor: null });
        return jsonResponse({ data: [user('u-1', 'ada@acme.test')], next_cursor: 'next' });
      },
    });
    const { user: actor } = renderApp('/portal/connections/conn-1', { as: 'tenant_admin' });
    const table = await screen.findByRole('table', { name: 'Users' });
    expect(screen.getByLabelText('SCIM base URL')).toHaveValue(CONNECTION.scim_base_url);
    expect(screen.getByRole('button', { name: 'Next →' })).toBeEnabled();

    await actor.click(within(table).getByRole('button', { name: 'ada@acme.test' }));
    const dialog = screen.getByRole('dialog', { name: 'ada@acme.test' });
    expect(within(dialog).getByText('Engineering')).toBeInTheDocument();
    expect(within(dialog).getByText('Ada Lovelace')).toBeInTheDocument();
    // Focus lands on what Tab can reach, not inside the closed raw-resource section.
    expect(within(dialog).getByText('What the identity provider sent')).toHaveFocus();
    await actor.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();

    await actor.selectOptions(screen.getByLabelText('State'), 'inactive');
    expect(await screen.findByRole('button', { name: 'bob@acme.test' })).toBeInTheDocument();
    expect(within(screen.getByRole('table', { name: 'Users' })).getByText('Deactivated')).toBeInTheDocument();

    await actor.type(screen.getByLabelText('Search users'), 'nobody{Enter}');
    expect(await screen.findByRole('heading', { name: 'No user matches' })).toBeInTheDocument();
    const last = new URL(fetchMock.calls[fetchMock.calls.length - 1].url).searchParams;
    expect([last.get('search'), last.get('state')]).toEqual(['nobody', 'inactive']);
  });

  it('shows a group’s members', async () => {
    mockFetch({
      'GET /api/v1/connections/conn-1': () => jsonResponse(CONNECTION),
      'GET /api/v1/connections/conn-1/groups': () =>
        jsonResponse({ data: [{ object: 'group', id: 'group-1', display_name: 'Engineering', external_id: null, raw: {} }], next_cursor: null }),
      'GET /api/v1/groups/group-1/members': () => jsonResponse({ data: [user('u-1', 'ada@acme.test')], next_cursor: null }),
    });
    const { user: actor } = renderApp('/connections/conn-1?tab=groups', { as: 'operator' });
    await actor.click(await screen.findByRole('button', { name: 'Engineering' }));
    const dialog = screen.getByRole('dialog', { name: 'Members of Engineering' });
    expect(await within(dialog).findByText('ada@acme.test')).toBeInTheDocument();
    const links = screen.getAllByRole('link', { hidden: true }).map((link) => link.getAttribute('href'));
    expect(links).toContain('/tenants/tenant-1');
  });

  it('explains failed requests in plain words', async () => {
    mockFetch({
      'GET /api/v1/connections/conn-1': () => jsonResponse(CONNECTION),
      'GET /api/v1/connections/conn-1/requests': () =>
        jsonResponse({
          data: [
            {
              id: 'r-1',
              connection_id: 'conn-1',
              at: '2026-01-02T00:00:00Z',
              method: 'POST',
              path: '/scim/v2/conn-1/Users',
              status: 409,
              scim_type: 'uniqueness',
              duration_ms: 3,
              request_id: 'req-9',
              error_detail: 'userName "ada@acme.test" is already taken',
            },
          ],
          next_cursor: null,
        }),
    });
    renderApp('/connections/conn-1?tab=requests', { as: 'operator' });
    expect(await screen.findByText(/already exists in this connection/)).toBeInTheDocument();
    expect(screen.getByText('userName "ada@acme.test" is already taken')).toBeInTheDocument();
    expect(screen.getByText('req-9')).toBeInTheDocument();
  });

  it('rotates and revokes tokens, and deactivates the connection after confirming', async () => {
    let revoked = false;
    let state = 'active';
    const fetchMock = mockFetch({
      'GET /api/v1/connections/conn-1': () => jsonResponse({ ...CONNECTION, state }),
      'GET /api/v1/connections/conn-1/scim-tokens': () =>
        jsonResponse(revoked ? [{ ...TOKEN, revoked_at: '2026-01-03T00:00:00Z' }] : [TOKEN]),
      'POST /api/v1/connections/conn-1/scim-tokens': () =>
        jsonResponse({ ...TOKEN, id: 'tok-2', token: 'scim_secret_value', scim_base_url: CONNECTION.scim_base_url }, 201),
      'POST /api/v1/scim-tokens/tok-1/revoke': () => {
        revoked = true;
        return jsonResponse({ ...TOKEN, revoked_at: '2026-01-03T00:00:00Z' });
      },
      'PATCH /api/v1/connections/conn-1': () => {
        state = 'inactive';
        return jsonResponse({ ...CONNECTION, state });
      },
    });
    const { user: actor } = renderApp('/portal/connections/conn-1?tab=settings', { as: 'tenant_admin' });
    await actor.click(await screen.findByRole('button', { name: 'Create new token' }));
    await waitFor(() => expect(screen.getByLabelText('New bearer token')).toHaveValue('scim_secret_value'));
    expect(screen.getByText(/shown only this once/)).toBeInTheDocument();

    await actor.click(await screen.findByRole('button', { name: 'Revoke token scim_ab12' }));
    const confirm = screen.getByRole('dialog', { name: /Revoke token scim_ab12/ });
    expect(within(confirm).getByText(/last active token/)).toBeInTheDocument();
    await actor.click(within(confirm).getByRole('button', { name: 'Revoke token' }));
    expect(await screen.findByText('Revoked')).toBeInTheDocument();

    await actor.click(screen.getByRole('button', { name: 'Deactivate connection…' }));
    const deactivate = screen.getByRole('dialog', { name: 'Deactivate Okta?' });
    expect(within(deactivate).getByText(/2 users and 1 group already/)).toBeInTheDocument();
    await actor.click(within(deactivate).getByRole('button', { name: 'Deactivate' }));
    expect(await screen.findByRole('button', { name: 'Reactivate connection' })).toBeInTheDocument();
    const patch = fetchMock.calls.find((request) => request.method === 'PATCH');
    expect(await patch?.clone().json()).toEqual({ state: 'inactive' });
  });
});
