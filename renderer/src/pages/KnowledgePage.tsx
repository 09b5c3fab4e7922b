import { useCallback, useEffect, useId, useState } from 'react';
import type { DocumentView, KnowledgeSourceView } from '../../../core/contract/knowledge-api.js';
import { messageOf } from '../api.js';
import { EmptyState } from '../components/EmptyState.js';
import { NoTenantNotice } from '../components/NoTenantNotice.js';
import { PageHeader } from '../components/PageHeader.js';
import { AddFiles } from '../knowledge/AddFiles.js';
import { DocumentsTable } from '../knowledge/DocumentsTable.js';
import { listDocuments, listSources } from '../knowledge/knowledgeApi.js';
import { SearchPlayground } from '../knowledge/SearchPlayground.js';
import { SourcesTable } from '../knowledge/SourcesTable.js';
import '../knowledge/knowledge.css';
import type { PageProps } from './PageProps.js';

/** The documents airdesk answers from: sources, documents, adding files, and the search playground. */
export function KnowledgePage({ tenants }: PageProps) {
  const tenant = tenants.selected;
  return (
    <>
      <PageHeader
        title="Knowledge"
        description="The sources airdesk grounds its answers in."
        tenantName={tenant?.name}
      />
      <NoTenantNotice tenants={tenants} />
      {tenant ? (
        <TenantKnowledge key={tenant.id} tenant={tenant.id} />
      ) : (
        <EmptyState title="No knowledge sources yet">
          <p>Create a tenant first; then add files here or connect a system on the Connectors page.</p>
        </EmptyState>
      )}
    </>
  );
}

type Loaded<T> = { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; value: T };

function TenantKnowledge({ tenant }: { tenant: string }) {
  const [sources, setSources] = useState<Loaded<KnowledgeSourceView[]>>({ status: 'loading' });
  const [documents, setDocuments] = useState<Loaded<DocumentView[]>>({ status: 'loading' });
  const [source, setSource] = useState<string | null>(null);
  const [filter, setFilter] = useState('');
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  const filterId = useId();

  useEffect(() => {
    let current = true;
    listSources(tenant).then(
      (value) => current && setSources({ status: 'ready', value }),
      (error: unknown) => current && setSources({ status: 'error', message: messageOf(error) }),
    );
    return () => {
      current = false;
    };
  }, [tenant, generation]);

  useEffect(() => {
    let current = true;
    // Typing waits a moment, so the list is asked for once per pause rather than per key.
    const timer = setTimeout(() => {
      listDocuments(tenant, { ...(source ? { source } : {}), q: filter }).then(
        (value) => current && setDocuments({ status: 'ready', value }),
        (error: unknown) => current && setDocuments({ status: 'error', message: messageOf(error) }),
      );
    }, 200);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [tenant, source, filter, generation]);

  const replaceDocument = (doc: DocumentView) => {
    setDocuments((old) =>
      old.status === 'ready' ? { ...old, value: old.value.map((d) => (d.id === doc.id ? doc : d)) } : old,
    );
    reload(); // the sources' public counts changed
  };
  const sourceName =
    sources.status === 'ready' ? sources.value.find((s) => s.id === source)?.name : undefined;

  return (
    <div className="knowledge">
      <AddFiles tenant={tenant} onAdded={reload} />

      <section className="knowledge-section" aria-labelledby={`${filterId}-sources`}>
        <h2 className="section-title" id={`${filterId}-sources`}>
          Sources
        </h2>
        {sources.status === 'loading' && <p role="status">Loading sources…</p>}
        {sources.status === 'error' && <LoadError what="sources" message={sources.message} retry={reload} />}
        {sources.status === 'ready' &&
          (sources.value.length === 0 ? (
            <p className="muted">
              No sources yet. Add files above, or connect a system on the Connectors page.
            </p>
          ) : (
            <SourcesTable sources={sources.value} selected={source} onSelect={setSource} />
          ))}
      </section>

      <section className="knowledge-section" aria-labelledby={`${filterId}-documents`}>
        <div className="panel-head">
          <h2 className="section-title" id={`${filterId}-documents`}>
            Documents{sourceName ? ` in ${sourceName}` : ''}
          </h2>
          <div className="toolbar">
            {source && (
              <button type="button" className="button" onClick={() => setSource(null)}>
                All sources
              </button>
            )}
            <label className="visually-hidden" htmlFor={`${filterId}-filter`}>
              Filter documents
            </label>
            <input
              id={`${filterId}-filter`}
              className="input knowledge-filter"
              type="search"
              placeholder="Filter documents"
              value={filter}
              maxLength={200}
              onChange={(event) => setFilter(event.target.value)}
            />
          </div>
        </div>
        {documents.status === 'loading' && <p role="status">Loading documents…</p>}
        {documents.status === 'error' && (
          <LoadError what="documents" message={documents.message} retry={reload} />
        )}
        {documents.status === 'ready' &&
          (documents.value.length === 0 ? (
            <p className="muted">{filter || source ? 'No document matches.' : 'No documents yet.'}</p>
          ) : (
            <DocumentsTable tenant={tenant} documents={documents.value} onChanged={replaceDocument} />
          ))}
      </section>

      <SearchPlayground tenant={tenant} />
    </div>
  );
}

function LoadError({ what, message, retry }: { what: string; message: string; retry: () => void }) {
  return (
    <div className="callout callout-error" role="alert">
      <p>
        Could not load the {what}: {message}
      </p>
      <button type="button" className="button" onClick={retry}>
        Try again
      </button>
    </div>
  );
}
