import type { ReactNode } from 'react';
import { ApiError, toApiError } from '../api/errors';
import { Button } from './Button';

export function LoadingState({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="card loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

interface EmptyStateProps {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}

export function EmptyState({ title, children, action }: EmptyStateProps) {
  return (
    <div className="card empty-state">
      <h2>{title}</h2>
      {children && <div className="muted">{children}</div>}
      {action && <div className="empty-state__action">{action}</div>}
    </div>
  );
}

/** The request id to quote when reporting a problem, when the api gave one. */
export function RequestId({ error }: { error: ApiError }) {
  if (!error.requestId) return null;
  return (
    <span className="request-id">
      Request id <code>{error.requestId}</code>
    </span>
  );
}

interface ErrorStateProps {
  title: string;
  error: unknown;
  onRetry?: () => void;
}

export function ErrorState({ title, error, onRetry }: ErrorStateProps) {
  const apiError = toApiError(error);
  return (
    <div className="card error-state" role="alert">
      <h2>{title}</h2>
      <p>{apiError.message}</p>
      <RequestId error={apiError} />
      {onRetry && (
        <div>
          <Button variant="primary" onClick={onRetry}>
            Retry
          </Button>
        </div>
      )}
    </div>
  );
}

/** An inline error under a form or an action: the api's detail and the request id. */
export function InlineError({ error }: { error: unknown }) {
  if (!error) return null;
  const apiError = toApiError(error);
  return (
    <div className="inline-error" role="alert">
      <span>{apiError.message}</span> <RequestId error={apiError} />
    </div>
  );
}
