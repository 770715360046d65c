import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { GUIDES, guideFor } from './guides';
import { SetupGuide } from './SetupGuide';

const BASE_URL = 'https://roster.example.com/scim/v2/0190e6a4-1111-7000-8000-000000000001';
const TOKEN = 'scim_abcdefghijklmnopqrstuvwxyz012345';

describe('IdP guides (data)', () => {
  it.each(GUIDES.map((guide) => [guide.name, guide] as const))('%s: pastes both values and maps userName', (_, guide) => {
    const pasted = guide.steps.flatMap((step) => step.paste ?? []).map((paste) => paste.value);
    expect(pasted).toContain('base_url');
    expect(pasted).toContain('token');
    expect(guide.mapping.find((row) => row.scim === 'userName')?.required).toBe(true);
    expect(guide.steps.length).toBeGreaterThanOrEqual(4);
  });

  it('covers every provider kind of the api, and falls back to the generic guide', () => {
    expect(GUIDES.map((guide) => guide.id)).toEqual(['okta', 'entra', 'onelogin', 'jumpcloud', 'google', 'generic']);
    expect(guideFor('something-else').id).toBe('generic');
  });
});

describe('SetupGuide', () => {
  it('renders Okta as numbered steps with the values to paste and the attribute mapping', () => {
    render(<SetupGuide guide={guideFor('okta')} values={{ base_url: BASE_URL, token: TOKEN }} missingToken="gone" />);

    expect(screen.getByRole('heading', { name: 'Set up provisioning in Okta' })).toBeInTheDocument();
    const steps = within(screen.getByRole('list')).getAllByRole('listitem');
    expect(steps).toHaveLength(6);
    expect(steps[1]).toHaveTextContent('Provisioning to SCIM');
    const connect = steps[2];
    expect(connect).toHaveTextContent('Unique identifier field for users to userName');
    expect(connect).toHaveTextContent('Authentication Mode to HTTP Header');
    expect(within(connect).getByLabelText('SCIM connector base URL')).toHaveValue(BASE_URL);
    expect(within(connect).getByLabelText('Authorization (Bearer)')).toHaveValue(TOKEN);
    expect(steps[3]).toHaveTextContent('Create Users, Update User Attributes and Deactivate Users');

    const mapping = screen.getByRole('table', { name: 'Attribute mapping for Okta' });
    const userName = within(mapping).getByText('userName').closest('tr') as HTMLElement;
    expect(userName).toHaveTextContent('required');
    expect(userName).toHaveTextContent('user.login');
  });

  it('renders Entra ID with Tenant URL and Secret Token', () => {
    render(<SetupGuide guide={guideFor('entra')} values={{ base_url: BASE_URL, token: TOKEN }} missingToken="gone" />);
    expect(screen.getByText(/Provisioning Mode/)).toBeInTheDocument();
    expect(screen.getByLabelText('Tenant URL')).toHaveValue(BASE_URL);
    expect(screen.getByLabelText('Secret Token')).toHaveValue(TOKEN);
  });

  it('shows the replacement action where the token was once it is no longer shown', () => {
    render(
      <SetupGuide
        guide={guideFor('jumpcloud')}
        values={{ base_url: BASE_URL, token: null }}
        missingToken={<button type="button">Create a new token</button>}
      />,
    );
    expect(screen.getByLabelText('Base URL')).toHaveValue(BASE_URL);
    expect(screen.queryByLabelText('Token Key')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Create a new token' })).toBeInTheDocument();
  });

  it('copies a value to the clipboard and says so', async () => {
    const user = userEvent.setup();
    const writeText = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue(undefined);
    render(<SetupGuide guide={guideFor('generic')} values={{ base_url: BASE_URL, token: TOKEN }} missingToken="gone" />);
    await user.click(screen.getByRole('button', { name: 'Copy Bearer token' }));
    expect(writeText).toHaveBeenCalledWith(TOKEN);
    expect(await screen.findByText('Bearer token copied to the clipboard.')).toBeInTheDocument();
  });
});
