import { useEffect } from 'react';

interface PageHeaderProps {
  title: string;
  description: string;
  /** The tenant the page shows, when it is about one tenant. */
  tenantName?: string | null;
}

/** A page's heading and one-line description; also names the browser tab after the page. */
export function PageHeader({ title, description, tenantName }: PageHeaderProps) {
  useEffect(() => {
    document.title = `${title} · airdesk`;
  }, [title]);

  return (
    <header className="page-header">
      <h1 className="page-title">{title}</h1>
      <p className="page-description">
        {description}
        {tenantName && (
          <>
            {' '}
            <span className="page-tenant">Tenant: {tenantName}</span>
          </>
        )}
      </p>
    </header>
  );
}
