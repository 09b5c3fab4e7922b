import { useId, useState, type FormEvent } from 'react';
import type { Passage, PlaygroundResult } from '../../../core/contract/knowledge-api.js';
import { messageOf } from '../api.js';
import { formatScore } from './format.js';
import { readPassage, runPlayground } from './knowledgeApi.js';

type ModeResult = PlaygroundResult['bm25'];
type Hit = ModeResult['hits'][number];

const columns = [
  { mode: 'bm25', title: 'BM25 (full text)' },
  { mode: 'vector', title: 'Vector (meaning)' },
  { mode: 'hybrid', title: 'Hybrid (what answers use)' },
] as const;

/**
 * Ask what a customer would and see what each retrieval leg finds: full text, vectors and their fusion side
 * by side, with ranks, scores and timings, before any customer asks. Admin view: every document counts.
 */
export function SearchPlayground({ tenant }: { tenant: string }) {
  const [query, setQuery] = useState('');
  const [state, setState] = useState<
    | { status: 'idle' }
    | { status: 'running' }
    | { status: 'error'; message: string }
    | { status: 'done'; result: PlaygroundResult }
  >({ status: 'idle' });
  const id = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!query.trim()) return;
    setState({ status: 'running' });
    try {
      setState({ status: 'done', result: await runPlayground(tenant, query) });
    } catch (error) {
      setState({ status: 'error', message: messageOf(error) });
    }
  };

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 className="panel-title" id={`${id}-title`}>
        Search playground
      </h2>
      <form className="playground-form" role="search" onSubmit={(event) => void submit(event)}>
        <label className="visually-hidden" htmlFor={`${id}-q`}>
          Question
        </label>
        <input
          id={`${id}-q`}
          className="input"
          type="search"
          placeholder="Ask what a customer would ask, e.g. how long do refunds take?"
          value={query}
          maxLength={4000}
          onChange={(event) => setQuery(event.target.value)}
        />
        <button type="submit" className="button button-primary" disabled={state.status === 'running'}>
          Search
        </button>
      </form>
      {state.status === 'running' && <p role="status">Searching…</p>}
      {state.status === 'error' && (
        <p className="form-error" role="alert">
          {state.message}
        </p>
      )}
      {state.status === 'done' && (
        <div className="playground-columns">
          {columns.map(({ mode, title }) => (
            <ModeColumn key={mode} tenant={tenant} title={title} result={state.result[mode]} />
          ))}
        </div>
      )}
    </section>
  );
}

function ModeColumn({ tenant, title, result }: { tenant: string; title: string; result: ModeResult }) {
  return (
    <section className="playground-column" aria-label={title}>
      <h3 className="playground-title">
        {title} <span className="muted">{result.totalMs.toFixed(0)} ms</span>
      </h3>
      {result.notice && <p className="playground-notice">{result.notice}</p>}
      {result.hits.length === 0 ? (
        <p className="muted">No passages found.</p>
      ) : (
        <ol className="hit-list">
          {result.hits.map((hit) => (
            <HitCard key={hit.chunkId} tenant={tenant} hit={hit} mode={result.mode} />
          ))}
        </ol>
      )}
    </section>
  );
}

function HitCard({ tenant, hit, mode }: { tenant: string; hit: Hit; mode: ModeResult['mode'] }) {
  const [passage, setPassage] = useState<Passage | string | null>(null);
  const open = async () => {
    try {
      setPassage(await readPassage(tenant, hit.chunkId));
    } catch (error) {
      setPassage(messageOf(error));
    }
  };
  return (
    <li className="hit">
      <div className="hit-head">
        <span className="hit-rank" aria-label={`Rank ${hit.rank}`}>
          #{hit.rank}
        </span>
        <span className="hit-title">{hit.title}</span>
        <span className="hit-score" title="Score in this mode">
          {formatScore(hit.score)}
        </span>
      </div>
      {hit.headings.length > 0 && <p className="hit-headings muted">{hit.headings.join(' › ')}</p>}
      <p className="hit-snippet">{hit.snippet}</p>
      {mode === 'hybrid' && <Stages stages={hit.stages} />}
      {passage === null ? (
        <button type="button" className="link-button hit-open" onClick={() => void open()}>
          Show the section
        </button>
      ) : typeof passage === 'string' ? (
        <p className="run-error">{passage}</p>
      ) : (
        <blockquote className="hit-passage">{passage.parentText}</blockquote>
      )}
    </li>
  );
}

/** Where each leg ranked the hit before fusion (absent: that leg did not find it), the fused and rerank scores. */
function Stages({ stages }: { stages: Hit['stages'] }) {
  const leg = (name: string, value: { rank: number; score: number } | undefined) =>
    value ? `${name} #${value.rank} (${formatScore(value.score)})` : `${name} —`;
  return (
    <p className="hit-stages">
      {leg('BM25', stages.bm25)} · {leg('vector', stages.vector)}
      {stages.fused !== undefined && <> · fused {formatScore(stages.fused)}</>}
      {stages.rerank !== undefined && <> · rerank {formatScore(stages.rerank)}</>}
    </p>
  );
}
