import { useState, useEffect } from 'react';
import { getMe } from '../api/contract';
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
  const [email, setEmail] = useState<string | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    getMe(controller.signal).then(
      (me) => setEmail(me.email ?? null),
      () => undefined, // only decoration: the header then shows no address
    );
    return () => controller.abort();
  }, []);
  return (
    <Shell
      variant="operator"
      nav={OPERATOR_NAV}
      identity={email ? <span className="app-header__who">{email}</span> : null}
    />
  );
}
