import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { Button } from '../../components/Button';
import { DataTable } from '../../components/DataTable';
import { Dialog } from '../../components/Dialog';
import { PagedView } from '../../components/PagedView';
import { EmptyState } from '../../components/States';
import { usePagedList } from '../../hooks/usePagedList';
import { DIRECTORY_PAGE_SIZE, fullName, primaryEmail, type DirectoryUser } from './DirectoryUsers';
import { SearchForm } from './SearchForm';

type DirectoryGroup = Schemas['DirectoryGroup'];

function MembersDialog({ group, onClose }: { group: DirectoryGroup; onClose: () => void }) {
  const members = usePagedList(
    (after, signal) =>
      unwrap(
        api.GET('/api/v1/groups/{group_id}/members', {
          params: { path: { group_id: group.id }, query: { after, limit: DIRECTORY_PAGE_SIZE } },
          signal,
        }),
      ),
    group.id,
  );
  return (
    <Dialog title={`Members of ${group.display_name}`} onClose={onClose} footer={<Button onClick={onClose}>Close</Button>}>
      <PagedView
        list={members}
        loading="Loading members…"
        errorTitle="Members could not be loaded"
        empty={<EmptyState title="No members">This group has no users.</EmptyState>}
      >
        {(users) => (
          <ul className="plain-list" aria-label="Members">
            {users.map((user: DirectoryUser) => (
              <li key={user.id}>
                <strong>{user.user_name}</strong>
                <span className="muted"> {[fullName(user), primaryEmail(user)].filter(Boolean).join(' · ')}</span>
              </li>
            ))}
          </ul>
        )}
      </PagedView>
    </Dialog>
  );
}

/** The connection's groups: search, paging; a group's members. */
export function DirectoryGroups({ connectionId }: { connectionId: string }) {
  const [search, setSearch] = useState('');
  const [open, setOpen] = useState<DirectoryGroup | null>(null);
  const list = usePagedList(
    (after, signal) =>
      unwrap(
        api.GET('/api/v1/connections/{connection_id}/groups', {
          params: { path: { connection_id: connectionId }, query: { search: search || undefined, after, limit: DIRECTORY_PAGE_SIZE } },
          signal,
        }),
      ),
    `${connectionId}|${search}`,
  );
  return (
    <section className="page-section" aria-label="Groups">
      <div className="toolbar">
        <SearchForm label="Search groups" placeholder="Group name" onSearch={setSearch} />
      </div>
      <PagedView
        list={list}
        loading="Loading groups…"
        errorTitle="Groups could not be loaded"
        empty={
          <EmptyState title={search ? 'No group matches' : 'No groups yet'}>
            {search ? 'Try another name.' : 'Groups appear here when your identity provider pushes them (in Okta: Push Groups; in Entra ID: assign groups to the app).'}
          </EmptyState>
        }
      >
        {(groups) => (
          <DataTable<DirectoryGroup>
            caption="Groups"
            rows={groups}
            rowKey={(group) => group.id}
            columns={[
              {
                header: 'Group',
                cell: (group) => (
                  <button type="button" className="link-button" onClick={() => setOpen(group)}>
                    {group.display_name}
                  </button>
                ),
              },
              { header: 'External id', cell: (group) => (group.external_id ? <code>{group.external_id}</code> : '—'), optional: true },
            ]}
          />
        )}
      </PagedView>
      {open && <MembersDialog group={open} onClose={() => setOpen(null)} />}
    </section>
  );
}
