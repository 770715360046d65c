import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { ApiError } from '../../api/errors';
import { ALL_EVENT_TYPES, compactSelection } from '../../api/eventTypes';
import { Button } from '../../components/Button';
import { CopyField } from '../../components/CopyField';
import { Checkbox, TextField } from '../../components/Field';
import { PageHeader } from '../../components/PageHeader';
import { InlineError } from '../../components/States';
import { useTitle } from '../../hooks/useSession';
import { EventTypePicker } from './EventTypePicker';

type Created = Schemas['CreatedEndpoint'];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Draft {
  url: string;
  description: string;
  tenantId: string;
  ordered: boolean;
  types: Set<string>;
}

type Errors = Partial<Record<'url' | 'tenantId' | 'types', string>>;

export function validateDraft(draft: Draft): Errors {
  const errors: Errors = {};
  try {
    const url = new URL(draft.url.trim());
    if (url.protocol !== 'https:' && url.protocol !== 'http:') errors.url = 'Use an http:// or https:// URL.';
  } catch {
    errors.url = draft.url.trim() ? 'Enter a full URL, e.g. https://app.example.com/webhooks/roster.' : 'Enter the URL of your webhook receiver.';
  }
  if (draft.tenantId.trim() && !UUID.test(draft.tenantId.trim())) errors.tenantId = 'A tenant id is a UUID.';
  if (draft.types.size === 0) errors.types = 'Choose at least one event type.';
  return errors;
}

/** The api's validation problem, placed on the field it names when it names one. */
function fieldOf(error: unknown): keyof Errors | null {
  if (!(error instanceof ApiError) || error.problemType !== 'validation') return null;
  if (/\burl\b/i.test(error.message)) return 'url';
  if (/tenant/i.test(error.message)) return 'tenantId';
  if (/event/i.test(error.message)) return 'types';
  return null;
}

function CreatedPanel({ endpoint }: { endpoint: Created }) {
  return (
    <section className="card" aria-labelledby="created-title">
      <h2 id="created-title">Endpoint created</h2>
      <p>
        Deliveries to <code>{endpoint.url}</code> are signed with this secret. Configure it in your receiver and verify
        every request with a Standard Webhooks library.
      </p>
      <CopyField label="Signing secret" value={endpoint.secret} secret hint="You can show it again on the endpoint page." />
      <p>
        <Link className="button button--primary" to={`/endpoints/${endpoint.id}`}>
          Open the endpoint
        </Link>
      </p>
    </section>
  );
}

export function EndpointCreatePage() {
  useTitle('Add endpoint');
  const [draft, setDraft] = useState<Draft>({ url: '', description: '', tenantId: '', ordered: false, types: new Set(ALL_EVENT_TYPES) });
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<Created | null>(null);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = validateDraft(draft);
    setErrors(found);
    setFailure(null);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const body = {
        url: draft.url.trim(),
        description: draft.description.trim(),
        event_types: compactSelection(draft.types),
        tenant_id: draft.tenantId.trim() || null,
        ordered: draft.ordered,
      };
      setCreated(await unwrap(api.POST('/api/v1/endpoints', { body })));
    } catch (error) {
      const field = fieldOf(error);
      if (field) setErrors({ [field]: (error as ApiError).message });
      else setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page">
      <PageHeader title="Add a webhook endpoint" back={{ to: '/endpoints', label: 'Webhook endpoints' }} />
      {created ? (
        <CreatedPanel endpoint={created} />
      ) : (
        <form className="card form" onSubmit={submit} noValidate>
          <TextField
            label="URL"
            type="url"
            required
            placeholder="https://app.example.com/webhooks/roster"
            value={draft.url}
            error={errors.url}
            onChange={(e) => set('url', e.target.value)}
          />
          <TextField label="Description" value={draft.description} onChange={(e) => set('description', e.target.value)} />
          <EventTypePicker selected={draft.types} onChange={(types) => set('types', types)} error={errors.types} />
          <TextField
            label="Only this tenant (optional)"
            hint="A tenant id: the endpoint then receives only that tenant’s events."
            value={draft.tenantId}
            error={errors.tenantId}
            onChange={(e) => set('tenantId', e.target.value)}
          />
          <Checkbox
            label="Deliver each connection’s events strictly in order (one at a time)"
            checked={draft.ordered}
            onChange={(e) => set('ordered', e.target.checked)}
          />
          <InlineError error={failure} />
          <div className="form__actions">
            <Button type="submit" variant="primary" busy={busy}>
              Create endpoint
            </Button>
          </div>
        </form>
      )}
    </div>
  );
}
