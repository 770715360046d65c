import type { ReactNode } from 'react';
import { Link } from 'react-router';

interface PageHeaderProps {
  title: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  back?: { to: string; label: string };
}

export function PageHeader({ title, description, actions, back }: PageHeaderProps) {
  return (
    <div className="page__header">
      {back && (
        <Link className="back-link" to={back.to}>
          ← {back.label}
        </Link>
      )}
      <div className="page__title-row">
        <h1>{title}</h1>
        {actions && <div className="page__actions">{actions}</div>}
      </div>
      {description && <p className="muted">{description}</p>}
    </div>
  );
}
