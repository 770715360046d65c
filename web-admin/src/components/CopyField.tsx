import { useEffect, useId, useRef, useState } from 'react';
import { Button } from './Button';

async function copyText(text: string, fallbackInput: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard permission (or an insecure origin): select the text so Ctrl+C works.
    fallbackInput?.select();
    return false;
  }
}

interface CopyFieldProps {
  label: string;
  value: string;
  /** Secrets are shown in a monospace field and never shortened. */
  secret?: boolean;
  hint?: React.ReactNode;
}

/** A read-only value with a Copy button; the result is announced politely. */
export function CopyField({ label, value, secret = false, hint }: CopyFieldProps) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [status, setStatus] = useState<'idle' | 'copied' | 'select'>('idle');

  useEffect(() => {
    if (status === 'idle') return;
    const timer = setTimeout(() => setStatus('idle'), 2500);
    return () => clearTimeout(timer);
  }, [status]);

  const copy = async () => setStatus((await copyText(value, input.current)) ? 'copied' : 'select');

  return (
    <div className="field copy-field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-field__row">
        <input
          id={id}
          ref={input}
          className={`input copy-field__value${secret ? ' copy-field__value--secret' : ''}`}
          value={value}
          readOnly
          spellCheck={false}
          onFocus={(event) => event.currentTarget.select()}
        />
        <Button onClick={copy} aria-label={`Copy ${label}`}>
          {status === 'copied' ? 'Copied' : 'Copy'}
        </Button>
      </div>
      <div className="field__hint" aria-live="polite">
        {status === 'copied' && `${label} copied to the clipboard.`}
        {status === 'select' && 'Copying is blocked here: the text is selected, press Ctrl+C (⌘C).'}
        {status === 'idle' && hint}
      </div>
    </div>
  );
}
