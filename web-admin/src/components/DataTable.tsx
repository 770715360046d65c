import type { ReactNode } from 'react';
import { Button } from './Button';

export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
  /** Hidden on narrow screens (the first column never is). */
  optional?: boolean;
  numeric?: boolean;
}

interface DataTableProps<T> {
  caption: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
}

/** A table that scrolls horizontally inside its card instead of widening the page. */
export function DataTable<T>({ caption, columns, rows, rowKey }: DataTableProps<T>) {
  return (
    <div className="table-wrap" role="region" aria-label={caption} tabIndex={0}>
      <table className="table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th
                key={column.header}
                scope="col"
                className={[column.optional ? 'optional' : '', column.numeric ? 'numeric' : ''].join(' ').trim() || undefined}
              >
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((column) => (
                <td
                  key={column.header}
                  className={[column.optional ? 'optional' : '', column.numeric ? 'numeric' : ''].join(' ').trim() || undefined}
                >
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface PagerProps {
  page: number;
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
  busy?: boolean;
}

export function Pager({ page, hasPrevious, hasNext, onPrevious, onNext, busy }: PagerProps) {
  if (!hasPrevious && !hasNext) return null;
  return (
    <nav className="pager" aria-label="Pages">
      <Button size="small" onClick={onPrevious} disabled={!hasPrevious || busy}>
        ← Previous
      </Button>
      <span className="muted">Page {page}</span>
      <Button size="small" onClick={onNext} disabled={!hasNext || busy}>
        Next →
      </Button>
    </nav>
  );
}
