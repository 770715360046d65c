import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { session } from '../api/session';
import { jsonResponse, mockFetch, problemResponse, tokens } from '../test/fixtures';
import { renderApp } from '../test/render';

const TENANT = { id: 'tenant-1', name: 'Acme Corp', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' };
const CONNECTION = {
  id: 'conn-1',
  tenant_id: 'tenant-1',
  name: 'Acme Corp Okta',
  provider: 'okta',
  state: 'pending',
  scim_base_url: 'http://localhost:3000/scim/v2/conn-1',
  created_at: '2026-01-01T00:00:00Z',
  user_count: 0,
  group_count: 0,
};

describe('setup link landing page', () => {
  it('redeems the link, enters the portal, creates the Okta connection and shows the token once', async () => {
    const connections: (typeof CONNECTION)[] = [];
    const fetchMock = mockFetch({
      'POST /api/v1/setup-links/redeem': () =>
        jsonResponse({ ...tokens('tenant_admin', 'tenant-1'), return_url: 'https://app.example.com/settings/sso' }),
      'GET /api/v1/tenants/tenant-1': () => jsonResponse(TENANT),
      'GET /api/v1/tenants/tenant-1/connections': () => jsonResponse({ data: connections, next_cursor: null }),
      'GET /api/v1/connections/conn-1': () => jsonResponse(CONNECTION),
      'POST /api/v1/tenants/tenant-1/connections': () => {
        connections.push(CONNECTION);
        return jsonResponse(CONNECTION, 201);
      },
      'POST /api/v1/connections/conn-1/scim-tokens': () =>
        jsonResponse({ id: 't-1', connection_id: 'conn-1', token: 'scim_secret', prefix: 'scim_sec', scim_base_url: CONNECTION.scim_base_url }, 201),
      'GET /api/v1/connections/conn-1/requests': () => jsonResponse({ data: [], next_cursor: null }),
    });
    const { user } = renderApp('/setup/link-token-1');

    expect(await screen.findByRole('heading', { name: 'Connect your directory' })).toBeInTheDocument();
    expect(await fetchMock.calls[0].json()).toEqual({ token: 'link-token-1' });
    expect(session.getState()).toMatchObject({ status: 'active', claims: { role: 'tenant_admin', tenantId: 'tenant-1' } });
    expect(await screen.findByText('Acme Corp')).toBeInTheDocument();
    // The setup link's return_url: back to the app when done.
    expect(screen.getByRole('link', { name: 'Done, back to app.example.com' })).toHaveAttribute('href', 'https://app.example.com/settings/sso');
    // No operator navigation in the IT admin's portal.
    expect(screen.queryByRole('link', { name: 'Webhook endpoints' })).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Okta' }));
    await user.click(await screen.findByRole('button', { name: 'Create connection and token' }));

    expect(await screen.findByText('Copy the token now.')).toBeInTheDocument();
    expect(screen.getByLabelText('Authorization (Bearer)')).toHaveValue('scim_secret');
    expect(screen.getByLabelText('SCIM connector base URL')).toHaveValue(CONNECTION.scim_base_url);
    const check = screen.getByRole('region', { name: 'Connection check' });
    expect(within(check).getByText(/Waiting for the first request/)).toBeInTheDocument();
    const created = fetchMock.calls.find((r) => r.method === 'POST' && r.url.endsWith('/connections'));
    expect(await created?.json()).toEqual({ provider: 'okta' });
  });

  it('explains an expired or used link', async () => {
    mockFetch({ 'POST /api/v1/setup-links/redeem': () => problemResponse(401, 'unauthorized', 'this setup link has expired, was used or was revoked') });
    renderApp('/setup/old-token');
    expect(await screen.findByRole('heading', { name: 'This setup link cannot be used' })).toBeInTheDocument();
    expect(screen.getByText(/Ask the person who sent it for a new link/)).toBeInTheDocument();
    expect(screen.getByText('req-401')).toBeInTheDocument();
    expect(session.getState().status).toBe('anonymous');
  });

  it('shows what arrived once the IdP called, with errors explained', async () => {
    mockFetch({
      'GET /api/v1/tenants/tenant-1': () => jsonResponse(TENANT),
      'GET /api/v1/tenants/tenant-1/connections': () => jsonResponse({ data: [{ ...CONNECTION, state: 'active' }], next_cursor: null }),
      'GET /api/v1/connections/conn-1': () => jsonResponse({ ...CONNECTION, state: 'active', user_count: 1, group_count: 0 }),
      'GET /api/v1/connections/conn-1/requests': () =>
        jsonResponse({
          data: [
            { id: 'r2', connection_id: 'conn-1', at: '2026-01-01T00:01:00Z', method: 'POST', path: '/Users', status: 409, duration_ms: 3, error_detail: 'userName "ada" is already taken' },
            { id: 'r1', connection_id: 'conn-1', at: '2026-01-01T00:00:00Z', method: 'GET', path: '/ServiceProviderConfig', status: 200, duration_ms: 1 },
          ],
          next_cursor: null,
        }),
    });
    renderApp('/portal?idp=okta', { as: 'tenant_admin' });
    const check = await screen.findByRole('region', { name: 'Connection check' });
    expect(await within(check).findByText('Receiving requests')).toBeInTheDocument();
    expect(within(check).getByText('userName "ada" is already taken')).toBeInTheDocument();
    expect(within(check).getByText(/already exists in this connection/)).toBeInTheDocument();
    expect(within(check).getByText(/received so far/)).toHaveTextContent('1 user and 0 groups received so far.');
    // The token is not shown again: a new one can be created instead.
    expect(screen.getAllByRole('button', { name: 'Create a new token' }).length).toBeGreaterThan(0);
  });
});
