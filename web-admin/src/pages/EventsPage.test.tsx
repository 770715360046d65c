import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { jsonResponse, mockFetch } from '../test/fixtures';
import { renderApp } from '../test/render';
import { EVENTS_PAGE_SIZE } from './EventsPage';

function event(n: number, type = 'user.created') {
  return { id: `evt-${n}`, type, created_at: '2026-01-01T00:00:00Z', tenant_id: 'tenant-1', tenant_external_id: 'org_1', connection_id: 'conn-1', sequence: n, data: { object: 'user' } };
}

describe('EventsPage', () => {
  it('filters by type through the api and offers Next only after a full page', async () => {
    const fetchMock = mockFetch({
      'GET /api/v1/events': (request) => {
        const types = new URL(request.url).searchParams.get('types');
        if (types === 'group.*') return jsonResponse({ data: [event(7, 'group.created')], next_cursor: 'head' });
        return jsonResponse({ data: Array.from({ length: EVENTS_PAGE_SIZE }, (_, i) => event(i + 1)), next_cursor: 'p2' });
      },
    });
    const { user } = renderApp('/events', { as: 'operator' });
    const list = await screen.findByRole('list', { name: 'Events' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(EVENTS_PAGE_SIZE);
    expect(screen.getByRole('button', { name: 'Next →' })).toBeEnabled();

    await user.selectOptions(screen.getByLabelText('Type'), 'group.*');
    await waitFor(() => expect(within(screen.getByRole('list', { name: 'Events' })).getAllByRole('listitem')).toHaveLength(1));
    expect(within(screen.getByRole('list', { name: 'Events' })).getByText('group.created')).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/events?types=group.*');
    // A short page is the head of the feed: nothing to page to.
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Next →' })).not.toBeInTheDocument());
    const last = new URL(fetchMock.calls[fetchMock.calls.length - 1].url);
    expect(last.searchParams.get('types')).toBe('group.*');
    expect(last.searchParams.get('limit')).toBe(String(EVENTS_PAGE_SIZE));
  });
});
