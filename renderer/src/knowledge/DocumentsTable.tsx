import { useState } from 'react';
import type { DocumentView } from '../../../core/contract/knowledge-api.js';
import { messageOf } from '../api.js';
import { formatTime } from './format.js';
import { setDocumentPublic } from './knowledgeApi.js';

/**
 * The documents airdesk answers from, with the widget switch: "Public" lets the website widget's anonymous
 * visitors be answered from a document. The admin's choice wins over the source's permissions until reset.
 */
export function DocumentsTable({
  tenant,
  documents,
  onChanged,
}: {
  tenant: string;
  documents: DocumentView[];
  onChanged: (document: DocumentView) => void;
}) {
  // The switch shows the new choice at once; it reverts (with the reason) if the server refuses it.
  const [pending, setPending] = useState<{ id: string; isPublic: boolean | null } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const setPublic = async (doc: DocumentView, isPublic: boolean | null) => {
    if (pending) return; // one change at a time, so answers cannot arrive out of order
    setPending({ id: doc.id, isPublic });
    setError(null);
    try {
      const saved = await setDocumentPublic(tenant, doc.id, isPublic);
      onChanged({ ...doc, isPublic: saved.isPublic, publicOverride: saved.publicOverride });
    } catch (e) {
      setError(`Could not change "${doc.title}": ${messageOf(e)}`);
    } finally {
      setPending(null);
    }
  };

  return (
    <>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <table className="table panel-table">
        <caption className="visually-hidden">Documents</caption>
        <thead>
          <tr>
            <th scope="col">Title</th>
            <th scope="col">Source</th>
            <th scope="col" className="numeric">
              Version
            </th>
            <th scope="col">Status</th>
            <th scope="col">Public</th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
          {documents.map((d) => {
            const busy = pending?.id === d.id;
            const shown = busy && typeof pending.isPublic === 'boolean' ? pending.isPublic : d.isPublic;
            return (
              <tr key={d.id}>
                <td>
                  <span className="doc-title">{d.title}</span>
                  {d.externalId !== d.title && <span className="doc-id muted">{d.externalId}</span>}
                </td>
                <td>{d.sourceName}</td>
                <td className="numeric">{d.version}</td>
                <td>
                  <span className="status status-succeeded">Indexed</span>
                </td>
                <td>
                  <label className="check">
                    <input
                      type="checkbox"
                      checked={shown}
                      aria-busy={busy}
                      aria-label={`Public: ${d.title}`}
                      onChange={(event) => void setPublic(d, event.target.checked)}
                    />
                    {shown ? 'Public' : 'Agents only'}
                  </label>
                  {d.publicOverride !== null && (
                    <button
                      type="button"
                      className="link-button doc-reset"
                      disabled={busy}
                      title="Follow the source's own permissions again"
                      onClick={() => void setPublic(d, null)}
                    >
                      use source setting
                    </button>
                  )}
                </td>
                <td>{formatTime(d.updatedAt)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
