import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { StatusBadge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { DataTable } from '../../components/DataTable';
import { Dialog } from '../../components/Dialog';
import { SelectField } from '../../components/Field';
import { JsonView } from '../../components/Format';
import { PagedView } from '../../components/PagedView';
import { EmptyState } from '../../components/States';
import { usePagedList } from '../../hooks/usePagedList';
import { SearchForm } from './SearchForm';

export type DirectoryUser = Schemas['DirectoryUser'];

export const DIRECTORY_PAGE_SIZE = 25;

const STATES = [
  { value: '', label: 'Any state' },
  { value: 'active', label: 'Active' },
  { value: 'inactive', label: 'Deactivated' },
];

export function primaryEmail(user: DirectoryUser): string | null {
  return (user.emails.find((email) => email.primary) ?? user.emails[0])?.value ?? null;
}

export function fullName(user: DirectoryUser): string | null {
  return user.display_name ?? ([user.first_name, user.last_name].filter(Boolean).join(' ') || null);
}

export function UserDialog({ user, onClose }: { user: DirectoryUser; onClose: () => void }) {
  return (
    <Dialog title={user.user_name} onClose={onClose} footer={<Button onClick={onClose}>Close</Button>}>
      <dl className="facts">
        <dt>Name</dt>
        <dd>{fullName(user) ?? '—'}</dd>
        <dt>Email</dt>
        <dd>{primaryEmail(user) ?? '—'}</dd>
        <dt>State</dt>
        <dd>
          <StatusBadge status={user.active ? 'active' : 'inactive'} label={user.active ? 'Active' : 'Deactivated'} />
        </dd>
        <dt>External id</dt>
        <dd>{user.external_id ? <code>{user.external_id}</code> : '—'}</dd>
        <dt>Groups</dt>
        <dd>{user.groups.length === 0 ? 'none' : user.groups.map((group) => group.display_name).join(', ')}</dd>
      </dl>
      <details>
        <summary>What the identity provider sent</summary>
        <JsonView value={user.raw} label="SCIM resource" />
      </details>
    </Dialog>
  );
}

/** The connection's users: search, state filter, paging; a user's details and groups. */
export function DirectoryUsers({ connectionId }: { connectionId: string }) {
  const [search, setSearch] = useState('');
  const [state, setState] = useState('');
  const [open, setOpen] = useState<DirectoryUser | null>(null);
  const list = usePagedList(
    (after, signal) =>
      unwrap(
        api.GET('/api/v1/connections/{connection_id}/users', {
          params: {
            path: { connection_id: connectionId },
            query: { search: search || undefined, state: state || undefined, after, limit: DIRECTORY_PAGE_SIZE },
          },
          signal,
        }),
      ),
    `${connectionId}|${search}|${state}`,
  );
  return (
    <section className="page-section" aria-label="Users">
      <div className="toolbar">
        <SearchForm label="Search users" placeholder="Name, userName or email" onSearch={setSearch} />
        <SelectField label="State" options={STATES} value={state} onChange={(event) => setState(event.target.value)} />
      </div>
      <PagedView
        list={list}
        loading="Loading users…"
        errorTitle="Users could not be loaded"
        empty={
          <EmptyState title={search || state ? 'No user matches' : 'No users yet'}>
            {search || state
              ? 'Try another search or state.'
              : 'Users appear here as soon as your identity provider provisions them (assign people to the app in your identity provider).'}
          </EmptyState>
        }
      >
        {(users) => (
          <DataTable<DirectoryUser>
            caption="Users"
            rows={users}
            rowKey={(user) => user.id}
            columns={[
              {
                header: 'User',
                cell: (user) => (
                  <button type="button" className="link-button" onClick={() => setOpen(user)}>
                    {user.user_name}
                  </button>
                ),
              },
              { header: 'Name', cell: (user) => fullName(user) ?? '—', optional: true },
              { header: 'Email', cell: (user) => primaryEmail(user) ?? '—', optional: true },
              {
                header: 'State',
                cell: (user) => <StatusBadge status={user.active ? 'active' : 'inactive'} label={user.active ? 'Active' : 'Deactivated'} />,
              },
              { header: 'Groups', cell: (user) => user.groups.length, numeric: true, optional: true },
            ]}
          />
        )}
      </PagedView>
      {open && <UserDialog user={open} onClose={() => setOpen(null)} />}
    </section>
  );
}
