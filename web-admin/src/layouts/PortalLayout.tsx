import { api, unwrap } from '../api/client';
import { returnUrl } from '../api/returnUrl';
import { useSession } from '../hooks/useSession';
import { useAsync } from '../hooks/useAsync';
import { Shell } from './Shell';

/** The IT admin's portal: one tenant, no operator navigation. */
export function PortalLayout() {
  const state = useSession();
  const tenantId = state.status === 'active' ? (state.claims.tenantId ?? '') : '';
  const tenant = useAsync(
    (signal) => unwrap(api.GET('/api/v1/tenants/{tenant_id}', { params: { path: { tenant_id: tenantId } }, signal })),
    tenantId,
  );
  const name = tenant.state.phase === 'loaded' ? tenant.state.data.name : null;
  const back = returnUrl();
  const identity = (
    <>
      {name && <span className="app-header__who">{name}</span>}
      {back && (
        <a className="button button--secondary button--small" href={back.href}>
          Done, back to {back.host}
        </a>
      )}
    </>
  );
  return <Shell variant="portal" nav={[]} identity={identity} />;
}
