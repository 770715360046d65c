import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  HEALTH_OK,
  READY_DB_DOWN,
  READY_OK,
  jsonResponse,
  mockFetch,
} from '../test/fixtures';
import { Overview } from './Overview';

function card(name: string) {
  return screen.getByRole('article', { name });
}

describe('Overview', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('shows a loading state, then the ready status with one card per check', async () => {
    mockFetch({
      '/healthz': () => jsonResponse(HEALTH_OK),
      '/readyz': () => jsonResponse(READY_OK),
    });
    render(<Overview />);

    expect(screen.getByRole('status')).toHaveTextContent('Checking…');

    expect(await screen.findByText('Ready')).toBeInTheDocument();
    expect(screen.queryByText('Checking…')).not.toBeInTheDocument();
    expect(screen.getByText('0.1.0')).toBeInTheDocument();
    expect(screen.getByText('All dependency checks are passing.')).toBeInTheDocument();

    expect(screen.getAllByRole('article')).toHaveLength(3);
    expect(within(card('Database')).getByText('sqlite')).toBeInTheDocument();
    expect(within(card('Database')).getByText('OK')).toBeInTheDocument();
    expect(within(card('Event bus')).getByText('in-process')).toBeInTheDocument();
    expect(within(card('Cache')).getByText('memory')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('renders a 503 readiness body as unavailable with the failing check error', async () => {
    mockFetch({
      '/healthz': () => jsonResponse(HEALTH_OK),
      '/readyz': () => jsonResponse(READY_DB_DOWN, 503),
    });
    render(<Overview />);

    expect(await screen.findByText('Unavailable')).toBeInTheDocument();
    expect(screen.getByText('1 of 3 dependency checks failing.')).toBeInTheDocument();

    const database = card('Database');
    expect(within(database).getByText('Error')).toBeInTheDocument();
    expect(within(database).getByText('postgres')).toBeInTheDocument();
    expect(within(database).getByText('connection refused (os error 111)')).toBeInTheDocument();

    expect(within(card('Event bus')).getByText('OK')).toBeInTheDocument();
    expect(within(card('Cache')).getByText('redis')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('shows an error with Retry when the API cannot be reached, and Retry re-fetches', async () => {
    const user = userEvent.setup();
    let apiUp = false;
    const fetchMock = mockFetch({
      '/healthz': () => (apiUp ? jsonResponse(HEALTH_OK) : Promise.reject(new TypeError('Failed to fetch'))),
      '/readyz': () => (apiUp ? jsonResponse(READY_OK) : Promise.reject(new TypeError('Failed to fetch'))),
    });
    render(<Overview />);

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Cannot reach the Roster API');
    expect(screen.queryByText('Ready')).not.toBeInTheDocument();
    const callsBeforeRetry = fetchMock.mock.calls.length;

    apiUp = true;
    await user.click(within(alert).getByRole('button', { name: 'Retry' }));

    expect(await screen.findByText('Ready')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(fetchMock.mock.calls.length).toBe(callsBeforeRetry + 2);
  });

  it('shows an error state when the API answers with a non-JSON error page', async () => {
    mockFetch({
      '/healthz': () => jsonResponse(HEALTH_OK),
      '/readyz': () => new Response('<html>Bad Gateway</html>', { status: 502 }),
    });
    render(<Overview />);

    expect(await screen.findByRole('alert')).toHaveTextContent('/readyz returned HTTP 502');
  });

  it('refreshes automatically every 10 seconds', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let readiness = jsonResponse(READY_OK);
    const fetchMock = mockFetch({
      '/healthz': () => jsonResponse(HEALTH_OK),
      '/readyz': () => readiness.clone(),
    });
    render(<Overview />);
    expect(await screen.findByText('Ready')).toBeInTheDocument();
    expect(fetchMock).toHaveBeenCalledTimes(2);

    readiness = jsonResponse(READY_DB_DOWN, 503);
    await act(() => vi.advanceTimersByTimeAsync(9_000));
    expect(fetchMock).toHaveBeenCalledTimes(2);

    await act(() => vi.advanceTimersByTimeAsync(1_000));
    expect(await screen.findByText('Unavailable')).toBeInTheDocument();
    expect(fetchMock).toHaveBeenCalledTimes(4);
    // A background refresh does not flash the loading state.
    expect(screen.queryByText('Checking…')).not.toBeInTheDocument();
  });
});
