import type { KnowledgeSourceView } from '../../../core/contract/knowledge-api.js';
import { formatTime } from './format.js';

/** The tenant's knowledge sources; choosing one filters the documents table to it. */
export function SourcesTable({
  sources,
  selected,
  onSelect,
}: {
  sources: KnowledgeSourceView[];
  selected: string | null;
  onSelect: (id: string | null) => void;
}) {
  return (
    <table className="table panel-table">
      <caption className="visually-hidden">Knowledge sources of this tenant</caption>
      <thead>
        <tr>
          <th scope="col">Source</th>
          <th scope="col">Kind</th>
          <th scope="col" className="numeric">
            Documents
          </th>
          <th scope="col" className="numeric">
            Public
          </th>
          <th scope="col">Last change</th>
        </tr>
      </thead>
      <tbody>
        {sources.map((s) => (
          <tr key={s.id} aria-current={s.id === selected ? 'true' : undefined}>
            <td>
              <button
                type="button"
                className="link-button"
                aria-pressed={s.id === selected}
                onClick={() => onSelect(s.id === selected ? null : s.id)}
              >
                {s.name}
              </button>
            </td>
            <td>{s.kind === 'upload' ? 'Files' : 'Connector'}</td>
            <td className="numeric">{s.documents}</td>
            <td className="numeric">{s.publicDocuments}</td>
            <td>{s.lastUpdatedAt ? formatTime(s.lastUpdatedAt) : 'Empty'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
