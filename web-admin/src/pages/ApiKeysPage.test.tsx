import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { jsonResponse, mockFetch } from '../test/fixtures';
import { renderApp } from '../test/render';

const KEY = { id: 'key-1', name: 'backend', prefix: 'rk_abc', scope: 'full', created_at: '2026-01-01T00:00:00Z' };

describe('ApiKeysPage', () => {
  it('creates a key and shows its secret once, and revokes one after confirmation', async () => {
    const keys = [KEY];
    const fetchMock = mockFetch({
      'GET /api/v1/api-keys': () => jsonResponse(keys),
      'POST /api/v1/api-keys': async (request) => {
        const body = await request.json();
        keys.push({ ...KEY, id: 'key-2', ...body });
        return jsonResponse({ ...KEY, id: 'key-2', ...body, secret: 'rk_secret_value' }, 201);
      },
      'POST /api/v1/api-keys/key-1/revoke': () => {
        keys[0] = { ...KEY, revoked_at: '2026-01-02T00:00:00Z' } as typeof KEY;
        return jsonResponse(keys[0]);
      },
    });
    const { user } = renderApp('/api-keys', { as: 'operator' });
    await screen.findByRole('table', { name: 'API keys' });

    await user.click(screen.getByRole('button', { name: 'Create API key' }));
    const dialog = screen.getByRole('dialog', { name: 'Create an API key' });
    await user.type(within(dialog).getByLabelText('Name'), 'reports');
    await user.selectOptions(within(dialog).getByLabelText('Scope'), 'read_only');
    await user.click(within(dialog).getByRole('button', { name: 'Create key' }));
    const created = await screen.findByRole('dialog', { name: 'API key created' });
    expect(within(created).getByLabelText('API key')).toHaveValue('rk_secret_value');
    expect(await fetchMock.calls.find((r) => r.method === 'POST')!.json()).toEqual({ name: 'reports', scope: 'read_only', tenant_id: null });
    await user.click(within(created).getByRole('button', { name: 'Done' }));
    expect(screen.queryByText('rk_secret_value')).not.toBeInTheDocument();

    const table = await screen.findByRole('table', { name: 'API keys' });
    await user.click(within(table).getAllByRole('button', { name: 'Revoke…' })[0]);
    await user.click(within(screen.getByRole('dialog', { name: 'Revoke “backend”?' })).getByRole('button', { name: 'Revoke key' }));
    expect(await screen.findByText('Revoked')).toBeInTheDocument();
  });
});
