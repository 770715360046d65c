import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { jsonResponse, mockFetch, problemResponse } from '../../test/fixtures';
import { renderApp } from '../../test/render';

const ENDPOINT = {
  id: 'ep-1',
  url: 'https://app.example.com/hooks/roster',
  description: 'Production receiver',
  event_types: ['user.*'],
  enabled: true,
  ordered: false,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
};

function delivery(n: number, status = 'failed') {
  return {
    id: `del-${n}`,
    event_id: `evt-${n}`,
    event_type: 'user.created',
    endpoint_id: 'ep-1',
    status,
    attempts: 3,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
  };
}


const STATS = {
  since: '2026-01-01T00:00:00Z',
  until: '2026-01-02T00:00:00Z',
  bucket_seconds: 3600,
  succeeded: 9,
  failed: 3,
  buckets: Array.from({ length: 24 }, (_, n) => ({
    start: new Date(Date.UTC(2026, 0, 1, n)).toISOString(),
    succeeded: n === 23 ? 9 : 0,
    failed: n === 22 ? 3 : 0,
  })),
};

describe('webhook endpoint pages', () => {
  it('lists endpoints with their status and links to each', async () => {
    mockFetch({ 'GET /api/v1/endpoints': () => jsonResponse([ENDPOINT, { ...ENDPOINT, id: 'ep-2', url: 'https://b.example.com/h', enabled: false }]) });
    renderApp('/endpoints', { as: 'operator' });
    const table = await screen.findByRole('table', { name: 'Webhook endpoints' });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(within(rows[1]).getByRole('link', { name: ENDPOINT.url })).toHaveAttribute('href', '/endpoints/ep-1');
    expect(rows[1]).toHaveTextContent('Enabled');
    expect(rows[2]).toHaveTextContent('Disabled');
  });

  it('shows an empty state with a way to add the first endpoint', async () => {
    mockFetch({ 'GET /api/v1/endpoints': () => jsonResponse([]) });
    renderApp('/endpoints', { as: 'operator' });
    expect(await screen.findByRole('heading', { name: 'No endpoints yet' })).toBeInTheDocument();
    expect(screen.getAllByRole('link', { name: 'Add endpoint' })).toHaveLength(2);
  });

  it('validates the form inline, shows the api problem on its field, then the secret once created', async () => {
    let attempts = 0;
    const fetchMock = mockFetch({
            'POST /api/v1/endpoints': async (request) => {
        attempts += 1;
        if (attempts === 1) return problemResponse(400, 'validation', 'url: private and loopback addresses are refused');
        return jsonResponse({ ...ENDPOINT, ...(await request.json()), id: 'ep-9', secret: 'whsec_c2VjcmV0' }, 201);
      },
    });
    const { user } = renderApp('/endpoints/new', { as: 'operator' });

    await user.click(await screen.findByRole('button', { name: 'Create endpoint' }));
    expect(screen.getByLabelText('URL')).toHaveAccessibleDescription('Enter the URL of your webhook receiver.');
    expect(fetchMock.calls.filter((r) => r.method === 'POST')).toHaveLength(0);

    await user.type(screen.getByLabelText('URL'), 'http://127.0.0.1/hook');
    await user.click(screen.getByRole('button', { name: 'Create endpoint' }));
    await waitFor(() => expect(screen.getByLabelText('URL')).toHaveAccessibleDescription('url: private and loopback addresses are refused'));

    await user.clear(screen.getByLabelText('URL'));
    await user.type(screen.getByLabelText('URL'), 'https://app.example.com/h');
    await user.click(screen.getByRole('checkbox', { name: 'All group events' }));
    await user.click(screen.getByRole('checkbox', { name: 'All connection events' }));
    await user.click(screen.getByRole('checkbox', { name: 'user.deleted' }));
    await user.click(screen.getByRole('button', { name: 'Create endpoint' }));

    expect(await screen.findByRole('heading', { name: 'Endpoint created' })).toBeInTheDocument();
    expect(screen.getByLabelText('Signing secret')).toHaveValue('whsec_c2VjcmV0');
    const body = await fetchMock.calls.filter((r) => r.method === 'POST')[1].json();
    expect(body).toMatchObject({
      url: 'https://app.example.com/h',
      event_types: ['user.created', 'user.updated', 'user.deactivated', 'user.reactivated'],
      tenant_id: null,
    });
  });

  it('shows the secret, rotates it through a dialog, and sends a test event', async () => {
    let secret = 'whsec_one';
    const fetchMock = mockFetch({
      'GET /api/v1/endpoints/ep-1': () => jsonResponse(ENDPOINT),
      'GET /api/v1/endpoints/ep-1/stats': () => jsonResponse(STATS),
      'GET /api/v1/endpoints/ep-1/deliveries': () => jsonResponse({ data: [], next_cursor: null }),
      'GET /api/v1/endpoints/ep-1/secret': () => jsonResponse({ current: secret, previous: secret === 'whsec_one' ? [] : [{ secret: 'whsec_one', created_at: '2026-01-01T00:00:00Z', expires_at: '2026-01-02T00:00:00Z' }] }),
      'POST /api/v1/endpoints/ep-1/secret/rotate': () => {
        secret = 'whsec_two';
        return jsonResponse({ secret });
      },
      'POST /api/v1/endpoints/ep-1/test': () =>
        jsonResponse({ msg_id: 'msg_1', payload: {}, succeeded: false, attempt: { attempted_at: '2026-01-01T00:00:00Z', duration_ms: 12, status_code: 500, response_excerpt: 'boom' } }),
    });
    const { user } = renderApp('/endpoints/ep-1', { as: 'operator' });

    await user.click(await screen.findByRole('button', { name: 'Show secret' }));
    expect(await screen.findByLabelText('Current secret')).toHaveValue('whsec_one');

    const rotate = screen.getByRole('button', { name: 'Rotate…' });
    await user.click(rotate);
    const dialog = screen.getByRole('dialog', { name: 'Rotate the signing secret' });
    expect(within(dialog).getByLabelText('Overlap (hours)')).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(rotate).toHaveFocus();

    await user.click(rotate);
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Rotate secret' }));
    await waitFor(() => expect(screen.getByLabelText('Current secret')).toHaveValue('whsec_two'));
    expect(screen.getByText(/A previous secret still signs until/)).toBeInTheDocument();
    const rotateCall = fetchMock.calls.find((r) => r.url.endsWith('/secret/rotate'));
    expect(await rotateCall?.json()).toEqual({ overlap_hours: 24 });

    await user.click(screen.getByRole('button', { name: 'Send test event' }));
    const outcome = await screen.findByRole('region', { name: 'Test event' });
    expect(outcome).toHaveTextContent('Failed');
    expect(outcome).toHaveTextContent('HTTP 500 in 12 ms');

    // The chart: totals in text, and the figures as the image's accessible name.
    const chart = screen.getByRole('region', { name: 'Attempts over time' });
    expect(within(chart).getByRole('img')).toHaveAccessibleName('9 succeeded and 3 failed attempts (75% success)');
    await user.selectOptions(within(chart).getByLabelText('Window'), '168');
    await waitFor(() => expect(fetchMock.calls.some((r) => r.url.includes('/stats?hours=168'))).toBe(true));
  });

  it('disables after confirmation, keeping focus inside the dialog, and shows a refused action inline', async () => {
    mockFetch({
      'GET /api/v1/endpoints/ep-1': () => jsonResponse(ENDPOINT),
      'GET /api/v1/endpoints/ep-1/stats': () => jsonResponse(STATS),
      'GET /api/v1/endpoints/ep-1/deliveries': () => jsonResponse({ data: [], next_cursor: null }),
      'POST /api/v1/endpoints/ep-1/disable': () => jsonResponse({ ...ENDPOINT, enabled: false, disabled_reason: 'disabled by an operator', disabled_at: '2026-01-03T00:00:00Z' }),
      'POST /api/v1/endpoints/ep-1/enable': () => problemResponse(403, 'forbidden', 'a read-only credential cannot write'),
    });
    const { user } = renderApp('/endpoints/ep-1', { as: 'operator' });
    await user.click(await screen.findByRole('button', { name: 'Disable…' }));
    const dialog = screen.getByRole('dialog', { name: 'Disable this endpoint?' });
    const cancel = within(dialog).getByRole('button', { name: 'Cancel' });
    const confirm = within(dialog).getByRole('button', { name: 'Disable' });
    expect(cancel).toHaveFocus();
    await user.tab();
    expect(confirm).toHaveFocus();
    await user.tab();
    expect(cancel).toHaveFocus();
    await user.click(confirm);

    expect(await screen.findByRole('button', { name: 'Enable' })).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(screen.getByText(/disabled by an operator/)).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Enable' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('a read-only credential cannot write');
    expect(screen.getByRole('alert')).toHaveTextContent('req-403');
  });

  it('pages deliveries with the cursor, filters by status and recovers failed ones', async () => {
    const fetchMock = mockFetch({
      'GET /api/v1/endpoints/ep-1': () => jsonResponse(ENDPOINT),
      'GET /api/v1/endpoints/ep-1/stats': () => jsonResponse(STATS),
      'GET /api/v1/endpoints/ep-1/deliveries': (request) => {
        const after = new URL(request.url).searchParams.get('after');
        return after === 'c1'
          ? jsonResponse({ data: [delivery(3)], next_cursor: null })
          : jsonResponse({ data: [delivery(1), delivery(2, 'succeeded')], next_cursor: 'c1' });
      },
      'POST /api/v1/endpoints/ep-1/recover': () => jsonResponse({ queued: 2 }, 202),
    });
    const { user } = renderApp('/endpoints/ep-1', { as: 'operator' });
    const table = await screen.findByRole('table', { name: 'Deliveries, newest first' });
    expect(within(table).getAllByRole('row')).toHaveLength(3);
    expect(within(table).getAllByRole('link')[0]).toHaveAttribute('href', '/deliveries/del-1');

    await user.click(screen.getByRole('button', { name: 'Next →' }));
    await waitFor(() => expect(screen.getByText('Page 2')).toBeInTheDocument());
    expect(within(await screen.findByRole('table', { name: 'Deliveries, newest first' })).getAllByRole('row')).toHaveLength(2);
    await user.click(screen.getByRole('button', { name: '← Previous' }));
    await waitFor(() => expect(screen.queryByText('Page 2')).not.toBeInTheDocument());

    await user.selectOptions(screen.getByLabelText('Status'), 'failed');
    await waitFor(() => expect(fetchMock.calls.some((r) => new URL(r.url).searchParams.get('status') === 'failed')).toBe(true));

    await user.click(screen.getByRole('button', { name: 'Recover' }));
    expect(await screen.findByText('2 failed deliveries queued again.')).toBeInTheDocument();
    const recover = fetchMock.calls.find((r) => r.url.endsWith('/recover'));
    const { since } = (await recover!.json()) as { since: string };
    expect(Date.parse(since)).toBeLessThan(Date.now());
  });

  it('shows a delivery with its payload and attempts, and replays it', async () => {
    const fetchMock = mockFetch({
            'GET /api/v1/deliveries/del-1': () =>
        jsonResponse({
          ...delivery(1),
          payload: { id: 'evt-1', type: 'user.created', data: { user_name: 'ada@example.com' } },
          attempts_log: [
            { attempted_at: '2026-01-01T00:00:00Z', duration_ms: 30000, error_class: 'timeout', error: 'no response within 30 s' },
            { attempted_at: '2026-01-01T00:01:00Z', duration_ms: 40, status_code: 503, response_excerpt: '{"error":"maintenance"}' },
          ],
        }),
      'POST /api/v1/deliveries/del-1/replay': () => jsonResponse({ ...delivery(1, 'pending') }, 202),
    });
    const { user } = renderApp('/deliveries/del-1', { as: 'operator' });
    expect(await screen.findByLabelText('Delivered payload')).toHaveTextContent('"user_name": "ada@example.com"');
    expect(screen.getByRole('heading', { name: /Attempt 1/ }).closest('li')).toHaveTextContent('timeout');
    expect(screen.getByLabelText('Response of attempt 2')).toHaveTextContent('{"error":"maintenance"}');

    await user.click(screen.getByRole('button', { name: 'Replay' }));
    expect(await screen.findByText(/Replay queued/)).toBeInTheDocument();
    expect(fetchMock.calls.filter((r) => r.url.endsWith('/replay'))).toHaveLength(1);
  });
});
