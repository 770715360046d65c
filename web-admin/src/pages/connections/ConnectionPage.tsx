import { Link, useParams, useSearchParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { StatusBadge } from '../../components/Badge';
import { CopyField } from '../../components/CopyField';
import { plural, Time } from '../../components/Format';
import { PageHeader } from '../../components/PageHeader';
import { ErrorState, LoadingState } from '../../components/States';
import { useAsync } from '../../hooks/useAsync';
import { useTitle } from '../../hooks/useSession';
import { guideFor } from '../../setup/guides';
import { ConnectionSettings } from './ConnectionSettings';
import { DirectoryGroups } from './DirectoryGroups';
import { DirectoryUsers } from './DirectoryUsers';
import { RequestLogPanel } from './RequestLogPanel';

const TABS = [
  { id: 'users', label: 'Users' },
  { id: 'groups', label: 'Groups' },
  { id: 'requests', label: 'Request log' },
  { id: 'settings', label: 'Tokens & settings' },
] as const;
type TabId = (typeof TABS)[number]['id'];

function isTab(value: string | null): value is TabId {
  return TABS.some((tab) => tab.id === value);
}

/**
 * One connection: its directory (users, groups), the SCIM requests its identity provider made,
 * its tokens and its state. The operator reaches it from a tenant; the IT admin from the portal.
 */
export function ConnectionPage({ variant }: { variant: 'operator' | 'portal' }) {
  const { id = '' } = useParams();
  const [params] = useSearchParams();
  const tab: TabId = isTab(params.get('tab')) ? (params.get('tab') as TabId) : 'users';
  const path = { connection_id: id };
  const connection = useAsync((signal) => unwrap(api.GET('/api/v1/connections/{connection_id}', { params: { path }, signal })), id);
  useTitle(connection.state.phase === 'loaded' ? connection.state.data.name : 'Connection');

  if (connection.state.phase === 'loading') return <LoadingState label="Loading the connection…" />;
  if (connection.state.phase === 'error') {
    return <ErrorState title="The connection could not be loaded" error={connection.state.error} onRetry={connection.reload} />;
  }
  const data = connection.state.data;
  const back = variant === 'operator' ? { to: `/tenants/${data.tenant_id}`, label: 'Tenant' } : { to: '/portal', label: 'Directory setup' };
  return (
    <div className="page">
      <PageHeader
        back={back}
        title={data.name}
        description={
          <span className="facts-inline">
            {guideFor(data.provider).name} · <StatusBadge status={data.state} /> · {plural(data.user_count, 'user')} ·{' '}
            {plural(data.group_count, 'group')} · last request <Time value={data.last_request_at} fallback="none yet" />
          </span>
        }
      />
      <CopyField label="SCIM base URL" value={data.scim_base_url} />
      <nav className="tabs" aria-label="Connection sections">
        {TABS.map((item) => (
          <Link key={item.id} className="tabs__tab" to={{ search: `?tab=${item.id}` }} replace aria-current={tab === item.id ? 'page' : undefined}>
            {item.label}
          </Link>
        ))}
      </nav>
      {tab === 'users' && <DirectoryUsers connectionId={data.id} />}
      {tab === 'groups' && <DirectoryGroups connectionId={data.id} />}
      {tab === 'requests' && <RequestLogPanel connectionId={data.id} />}
      {tab === 'settings' && <ConnectionSettings connection={data} onChange={connection.update} />}
    </div>
  );
}
