import { useSession } from '../hooks/useSession';
import { Shell, type NavItem } from './Shell';

export const OPERATOR_NAV: NavItem[] = [
  { to: '/tenants', label: 'Tenants' },
  { to: '/endpoints', label: 'Webhook endpoints' },
  { to: '/events', label: 'Events' },
  { to: '/audit-log', label: 'Audit log' },
  { to: '/api-keys', label: 'API keys' },
  { to: '/status', label: 'Status' },
  { to: '/docs/', label: 'API docs', external: true },
];

/** The operator console: every tenant, webhooks, events, audit log, API keys. */
export function OperatorLayout() {
  const state = useSession();
  const who = state.status === 'active' ? state.claims.label : null;
  return <Shell variant="operator" nav={OPERATOR_NAV} identity={who ? <span className="app-header__who">{who}</span> : null} />;
}
