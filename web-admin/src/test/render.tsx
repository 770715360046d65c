import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, useLocation } from 'react-router';
import { App } from '../App';
import { session } from '../api/session';
import { tokens } from './fixtures';

/** Renders the current route path, so tests can assert where navigation went. */
function LocationProbe() {
  const location = useLocation();
  return (
    <output data-testid="location" hidden>
      {location.pathname + location.search}
    </output>
  );
}

interface Options {
  as?: 'operator' | 'tenant_admin';
  tenant?: string;
}

/** The whole app at `path` (relative to /admin), optionally signed in. */
export function renderApp(path: string, { as, tenant = 'tenant-1' }: Options = {}) {
  if (as) session.establish(tokens(as, as === 'tenant_admin' ? tenant : null));
  const user = userEvent.setup();
  const utils = render(
    <MemoryRouter initialEntries={[path]}>
      <App />
      <LocationProbe />
    </MemoryRouter>,
  );
  return { user, ...utils };
}
