import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { Button } from '../../components/Button';
import { CopyField } from '../../components/CopyField';
import { Dialog } from '../../components/Dialog';
import { TextField } from '../../components/Field';
import { Time } from '../../components/Format';
import { InlineError } from '../../components/States';
import { useAction } from '../../hooks/useAction';

type Secrets = Schemas['EndpointSecrets'];

function RotateDialog({ endpointId, onDone, onClose }: { endpointId: string; onDone: (secret: string) => void; onClose: () => void }) {
  const [hours, setHours] = useState('24');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const valid = /^\d+$/.test(hours.trim());
  const rotate = async () => {
    setBusy(true);
    setError(null);
    try {
      const rotated = await unwrap(
        api.POST('/api/v1/endpoints/{endpoint_id}/secret/rotate', {
          params: { path: { endpoint_id: endpointId } },
          body: { overlap_hours: Number(hours.trim()) },
        }),
      );
      onDone(rotated.secret);
      onClose();
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };
  return (
    <Dialog
      title="Rotate the signing secret"
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" busy={busy} disabled={!valid} onClick={rotate}>
            Rotate secret
          </Button>
        </>
      }
    >
      <p>The new secret signs at once. The current one keeps signing during the overlap, so your receiver can switch at any moment within it.</p>
      <TextField
        label="Overlap (hours)"
        inputMode="numeric"
        value={hours}
        error={valid ? undefined : 'Enter a whole number of hours (0 for none).'}
        onChange={(event) => setHours(event.target.value)}
        data-autofocus
      />
      <InlineError error={error} />
    </Dialog>
  );
}

/** Shows the signing secrets on demand and rotates them. */
export function EndpointSecret({ endpointId }: { endpointId: string }) {
  const [secrets, setSecrets] = useState<Secrets | null>(null);
  const { busy, error, run } = useAction();
  const [rotating, setRotating] = useState(false);

  const show = () =>
    run(async () => {
      setSecrets(await unwrap(api.GET('/api/v1/endpoints/{endpoint_id}/secret', { params: { path: { endpoint_id: endpointId } } })));
    });

  return (
    <section className="card" aria-labelledby="secret-title">
      <div className="summary__head">
        <h2 id="secret-title">Signing secret</h2>
        <div className="button-row">
          {!secrets && (
            <Button busy={busy} onClick={show}>
              Show secret
            </Button>
          )}
          <Button onClick={() => setRotating(true)}>Rotate…</Button>
        </div>
      </div>
      <p className="muted">Every delivery is signed (Standard Webhooks). Verify it in your receiver with this secret.</p>
      {secrets && (
        <>
          <CopyField label="Current secret" value={secrets.current} secret />
          {secrets.previous.map((previous) => (
            <p key={previous.secret} className="muted">
              A previous secret still signs until <Time value={previous.expires_at} fallback="it is removed" />.
            </p>
          ))}
        </>
      )}
      <InlineError error={error} />
      {rotating && (
        <RotateDialog
          endpointId={endpointId}
          onClose={() => setRotating(false)}
          onDone={() => void show()}
        />
      )}
    </section>
  );
}
