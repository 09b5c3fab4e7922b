import type { ReactNode } from 'react';

interface EmptyStateProps {
  title: string;
  children: ReactNode;
}

/** What a page shows while it has nothing yet: what will be here, and how it gets here. */
export function EmptyState({ title, children }: EmptyStateProps) {
  return (
    <section className="empty-state" aria-label={title}>
      <svg className="empty-state-icon" viewBox="0 0 48 48" aria-hidden="true" focusable="false">
        <rect x="6" y="10" width="36" height="28" rx="5" />
        <path d="M6 26h11l3 5h8l3-5h11" />
      </svg>
      <h2 className="empty-state-title">{title}</h2>
      <div className="empty-state-body">{children}</div>
    </section>
  );
}
