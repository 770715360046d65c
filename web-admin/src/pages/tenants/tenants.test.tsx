import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { jsonResponse, mockFetch, problemResponse } from '../../test/fixtures';
import { renderApp } from '../../test/render';

const TENANT = { id: 'tenant-1', name: 'Acme Corp', external_id: 'org_acme', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' };

describe('tenant pages', () => {
  it('searches tenants through the api', async () => {
    const fetchMock = mockFetch({
            'GET /api/v1/tenants': (request) =>
        jsonResponse({ data: new URL(request.url).searchParams.get('search') === 'nothing' ? [] : [TENANT], next_cursor: null }),
    });
    const { user } = renderApp('/', { as: 'operator' });
    const table = await screen.findByRole('table', { name: 'Tenants' });
    expect(within(table).getByRole('link', { name: 'Acme Corp' })).toHaveAttribute('href', '/tenants/tenant-1');

    await user.type(screen.getByLabelText('Search by name or external id'), 'nothing{Enter}');
    expect(await screen.findByRole('heading', { name: 'No tenant matches' })).toBeInTheDocument();
    expect(new URL(fetchMock.calls[fetchMock.calls.length - 1].url).searchParams.get('search')).toBe('nothing');
  });

  it('creates a tenant, shows a conflict inline, then opens it and generates a setup link to copy', async () => {
    let posts = 0;
    mockFetch({
            'GET /api/v1/tenants': () => jsonResponse({ data: [], next_cursor: null }),
      'POST /api/v1/tenants': () => {
        posts += 1;
        return posts === 1 ? problemResponse(409, 'conflict', 'external_id "org_acme" is already used') : jsonResponse(TENANT, 201);
      },
      'GET /api/v1/tenants/tenant-1': () => jsonResponse(TENANT),
      'GET /api/v1/tenants/tenant-1/connections': () => jsonResponse({ data: [], next_cursor: null }),
      'POST /api/v1/tenants/tenant-1/setup-links': () =>
        jsonResponse({ id: 'sl-1', url: 'http://localhost:3000/admin/setup/tok_123', expires_at: '2026-01-04T00:00:00Z', single_use: true }, 201),
    });
    const { user } = renderApp('/tenants', { as: 'operator' });
    await user.click((await screen.findAllByRole('button', { name: 'Create tenant' }))[0]);
    const dialog = screen.getByRole('dialog', { name: 'Create a tenant' });
    await user.type(within(dialog).getByLabelText('Name'), 'Acme Corp');
    await user.type(within(dialog).getByLabelText('External id (optional)'), 'org_acme');
    await user.click(within(dialog).getByRole('button', { name: 'Create tenant' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('external_id "org_acme" is already used');

    await user.click(within(dialog).getByRole('button', { name: 'Create tenant' }));
    expect(await screen.findByRole('heading', { name: 'Acme Corp' })).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/tenants/tenant-1');

    await user.click(screen.getByRole('button', { name: 'Generate setup link' }));
    await waitFor(() => expect(screen.getByLabelText('Setup link')).toHaveValue('http://localhost:3000/admin/setup/tok_123'));
    expect(screen.getByText(/Works once/)).toBeInTheDocument();
  });
});
