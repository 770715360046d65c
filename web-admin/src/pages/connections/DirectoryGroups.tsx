import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { Button } from '../../components/Button';
import { DataTable, Pager } from '../../components/DataTable';
import { Dialog } from '../../components/Dialog';
import { EmptyState, ErrorState, LoadingState } from '../../components/States';
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
  const page = members.state;
  return (
    <Dialog title={`Members of ${group.display_name}`} onClose={onClose} footer={<Button onClick={onClose}>Close</Button>}>
      {page.phase === 'loading' && <LoadingState label="Loading members…" />}
      {page.phase === 'error' && <ErrorState title="Members could not be loaded" error={page.error} onRetry={members.reload} />}
      {page.phase === 'loaded' && page.data.data.length === 0 && <EmptyState title="No members">This group has no users.</EmptyState>}
      {page.phase === 'loaded' && page.data.data.length > 0 && (
        <ul className="plain-list" aria-label="Members">
          {page.data.data.map((user: DirectoryUser) => (
            <li key={user.id}>
              <strong>{user.user_name}</strong>
              <span className="muted"> {[fullName(user), primaryEmail(user)].filter(Boolean).join(' · ')}</span>
            </li>
          ))}
        </ul>
      )}
      <Pager
        page={members.page}
        hasPrevious={members.hasPrevious}
        hasNext={members.hasNext}
        onPrevious={members.previous}
        onNext={members.next}
        busy={page.phase === 'loading'}
      />
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
  const page = list.state;
  return (
    <section className="page-section" aria-label="Groups">
      <div className="toolbar">
        <SearchForm label="Search groups" placeholder="Group name" onSearch={setSearch} />
      </div>
      {page.phase === 'loading' && <LoadingState label="Loading groups…" />}
      {page.phase === 'error' && <ErrorState title="Groups could not be loaded" error={page.error} onRetry={list.reload} />}
      {page.phase === 'loaded' && page.data.data.length === 0 && (
        <EmptyState title={search ? 'No group matches' : 'No groups yet'}>
          {search ? 'Try another name.' : 'Groups appear here when your identity provider pushes them (in Okta: Push Groups; in Entra ID: assign groups to the app).'}
        </EmptyState>
      )}
      {page.phase === 'loaded' && page.data.data.length > 0 && (
        <DataTable<DirectoryGroup>
          caption="Groups"
          rows={page.data.data}
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
      <Pager
        page={list.page}
        hasPrevious={list.hasPrevious}
        hasNext={list.hasNext}
        onPrevious={list.previous}
        onNext={list.next}
        busy={page.phase === 'loading'}
      />
      {open && <MembersDialog group={open} onClose={() => setOpen(null)} />}
    </section>
  );
}
