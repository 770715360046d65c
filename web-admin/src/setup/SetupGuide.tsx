import { Fragment, useId, type ReactNode } from 'react';
import { CopyField } from '../components/CopyField';
import { DataTable } from '../components/DataTable';
import type { AttributeMapping, ConnectionValue, IdpGuide, Inline, Paste } from './types';

export interface ConnectionValues {
  base_url: string;
  /** The SCIM token while it is still shown (once, right after it is issued). */
  token: string | null;
}

function InlineText({ parts }: { parts: Inline[] }) {
  return (
    <>
      {parts.map((part, index) => (
        <Fragment key={index}>
          {typeof part === 'string' ? part : 'ui' in part ? <strong className="ui-label">{part.ui}</strong> : <code>{part.code}</code>}
        </Fragment>
      ))}
    </>
  );
}

const VALUE_HINT: Record<ConnectionValue, string> = {
  base_url: 'The SCIM base URL of this connection.',
  token: 'Shown only now: it cannot be displayed again.',
};

function PasteField({ paste, values, missingToken }: { paste: Paste; values: ConnectionValues; missingToken: ReactNode }) {
  const value = values[paste.value];
  if (value === null) {
    return (
      <div className="paste-missing">
        <strong>{paste.field}:</strong> {missingToken}
      </div>
    );
  }
  return <CopyField label={paste.field} value={value} secret={paste.value === 'token'} hint={VALUE_HINT[paste.value]} />;
}

interface SetupGuideProps {
  guide: IdpGuide;
  values: ConnectionValues;
  /** Shown where the token would be once it is no longer displayed (e.g. a "new token" button). */
  missingToken: ReactNode;
}

/** One IdP's numbered setup steps with this connection's values to paste, and the attribute mapping. */
export function SetupGuide({ guide, values, missingToken }: SetupGuideProps) {
  const headingId = useId();
  return (
    <section className="guide" aria-labelledby={headingId}>
      <h2 id={headingId}>Set up provisioning in {guide.name}</h2>
      <p>{guide.summary}</p>
      <p className="notice">
        <strong>Before you start:</strong> {guide.before}
      </p>
      <ol className="steps">
        {guide.steps.map((step) => (
          <li key={step.title} className="step">
            <h3 className="step__title">{step.title}</h3>
            <p className="step__text">
              <InlineText parts={step.text} />
            </p>
            {step.paste && (
              <div className="step__paste">
                {step.paste.map((paste) => (
                  <PasteField key={paste.field} paste={paste} values={values} missingToken={missingToken} />
                ))}
              </div>
            )}
            {step.note && <p className="step__note">{step.note}</p>}
          </li>
        ))}
      </ol>
      <h3 className="section-title">Attribute mapping</h3>
      <p className="muted">
        Roster identifies people by <code>userName</code>; the rest is optional but makes the data your app receives
        complete.
      </p>
      <DataTable<AttributeMapping>
        caption={`Attribute mapping for ${guide.name}`}
        rowKey={(row) => row.scim}
        rows={guide.mapping}
        columns={[
          {
            header: 'Roster (SCIM) attribute',
            cell: (row) => (
              <>
                <code>{row.scim}</code>
                {row.required && <span className="required-tag"> required</span>}
              </>
            ),
          },
          { header: `${guide.name} attribute`, cell: (row) => <code>{row.source}</code> },
          { header: 'Notes', cell: (row) => row.note ?? '', optional: true },
        ]}
      />
    </section>
  );
}
