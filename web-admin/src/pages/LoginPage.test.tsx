import { act, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { session } from '../api/session';
import { jsonResponse, mockFetch, problemResponse, tokens } from '../test/fixtures';
import { renderApp } from '../test/render';

const location = () => screen.getByTestId('location').textContent;

async function fillAndSubmit(user: ReturnType<typeof renderApp>['user']) {
  await user.type(screen.getByLabelText('Email'), 'ops@example.com');
  await user.type(screen.getByLabelText('Password'), 'correct horse');
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
}

describe('LoginPage', () => {
  it('sends an anonymous visitor of the console to the login page', () => {
    mockFetch({});
    renderApp('/endpoints');
    expect(screen.getByRole('heading', { name: 'Sign in to the operator console' })).toBeInTheDocument();
    expect(location()).toBe('/login');
  });

  it('signs in, keeps the refresh token for reloads and opens the page asked for', async () => {
    const fetchMock = mockFetch({
      'POST /api/v1/auth/login': () => jsonResponse(tokens('operator')),
      'GET /api/v1/endpoints': () => jsonResponse([]),
    });
    const { user } = renderApp('/endpoints');
    await fillAndSubmit(user);

    expect(await screen.findByRole('heading', { name: 'Webhook endpoints' })).toBeInTheDocument();
    expect(location()).toBe('/endpoints');
    expect(await fetchMock.calls[0].json()).toEqual({ email: 'ops@example.com', password: 'correct horse' });
    expect(sessionStorage.getItem('roster.refresh_token')).toBe('refresh-1');
    expect(session.accessToken).toBe(tokens('operator').access_token);
  });

  it('says when the email and password do not match', async () => {
    mockFetch({ 'POST /api/v1/auth/login': () => problemResponse(401, 'unauthorized', 'invalid credentials') });
    const { user } = renderApp('/login');
    await fillAndSubmit(user);
    expect(await screen.findByRole('alert')).toHaveTextContent('That email and password do not match an account.');
    expect(session.getState().status).toBe('anonymous');
  });

  it('on 429 shows "try again in N s" from Retry-After and blocks the button until then', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    mockFetch({
      'POST /api/v1/auth/login': () =>
        problemResponse(429, 'rate-limited', 'too many failed attempts', { 'Retry-After': '3' }),
    });
    const { user } = renderApp('/login');
    await fillAndSubmit(user);

    expect(await screen.findByRole('alert')).toHaveTextContent('Too many sign-in attempts. Try again in 3 s.');
    const button = screen.getByRole('button', { name: 'Sign in' });
    expect(button).toBeDisabled();

    try {
      act(() => vi.advanceTimersByTime(1000));
      expect(screen.getByRole('alert')).toHaveTextContent('Try again in 2 s.');
      act(() => vi.advanceTimersByTime(2000));
      expect(screen.queryByRole('alert')).not.toBeInTheDocument();
      expect(button).toBeEnabled();
    } finally {
      vi.useRealTimers();
    }
  });

  it('restores the session after a reload and signs out', async () => {
    // As after a reload: only the refresh token survived (the access token lived in memory).
    sessionStorage.setItem('roster.refresh_token', 'refresh-0');
    const fetchMock = mockFetch({
      'POST /api/v1/auth/refresh': () => jsonResponse(tokens('operator', null, 5)),
      'GET /api/v1/endpoints': () => jsonResponse([]),
      'POST /api/v1/auth/logout': () => new Response(null, { status: 204 }),
    });
    await act(async () => {
      await session.refresh();
    });
    const { user } = renderApp('/endpoints');
    expect(await screen.findByText('ops@example.com')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    await waitFor(() => expect(location()).toBe('/login'));
    expect(screen.getByText('You have signed out.')).toBeInTheDocument();
    const logout = fetchMock.calls.find((r) => r.url.endsWith('/auth/logout'));
    expect(logout?.headers.get('Authorization')).toBe(`Bearer ${tokens('operator', null, 5).access_token}`);
    expect(sessionStorage.getItem('roster.refresh_token')).toBeNull();
  });
});
