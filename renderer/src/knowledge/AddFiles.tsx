import { useId, useRef, useState, type DragEvent } from 'react';
import { maxUploadBytes, type IngestResult } from '../../../core/contract/knowledge-api.js';
import { messageOf } from '../api.js';
import { desktopApi, ingestExtensions } from './desktop.js';
import { ingestPaths, uploadFile } from './knowledgeApi.js';

/** One file on its way in: sending (with the sent fraction), indexing on the server, then its outcome. */
interface UploadItem {
  key: number;
  name: string;
  size: number;
  state: 'waiting' | 'sending' | 'indexing' | 'done' | 'failed';
  fraction: number;
  result?: IngestResult;
  error?: string;
}

const maxMiB = maxUploadBytes / (1024 * 1024);

/**
 * Adding files to the tenant's Uploads source: drop them on the zone or choose them (keyboard and screen
 * readers use the button). Files go up one at a time, each with its own progress bar, then the server's verdict.
 * In the desktop app an extra button picks files with the native dialog and the server reads them in place.
 */
export function AddFiles({ tenant, onAdded }: { tenant: string; onAdded: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [items, setItems] = useState<UploadItem[]>([]);
  const [dragging, setDragging] = useState(false);
  const [busy, setBusy] = useState(false);
  const [pathResult, setPathResult] = useState<{ result?: IngestResult; error?: string } | null>(null);
  const nextKey = useRef(0);
  const queue = useRef<Promise<void>>(Promise.resolve());
  const hintId = useId();
  const desktop = desktopApi();

  const update = (key: number, patch: Partial<UploadItem>) =>
    setItems((all) => all.map((item) => (item.key === key ? { ...item, ...patch } : item)));

  const addFiles = (files: File[]) => {
    if (files.length === 0) return;
    const added = files.map((file) => ({ file, key: nextKey.current++ }));
    setItems((all) => [
      ...added.map(({ file, key }) => ({
        key,
        name: file.name,
        size: file.size,
        state: 'waiting' as const,
        fraction: 0,
      })),
      ...all,
    ]);
    // One upload at a time: the server ingests them one after another anyway, and each bar then moves alone.
    queue.current = queue.current.then(async () => {
      for (const { file, key } of added) await send(file, key);
      onAdded();
    });
  };

  const send = async (file: File, key: number) => {
    if (file.size > maxUploadBytes) {
      update(key, {
        state: 'failed',
        error: `Larger than ${maxMiB} MiB: add it with "airdesk ingest" on the server, or through a folder connector.`,
      });
      return;
    }
    // Checked here too so a large file of the wrong type is not sent only to be refused.
    const extension = /\.([^.]+)$/.exec(file.name)?.[1]?.toLowerCase() ?? '';
    if (!ingestExtensions.includes(extension)) {
      update(key, {
        state: 'failed',
        error: `airdesk cannot read ${extension ? `.${extension}` : 'files without an extension'}; it reads ${ingestExtensions.map((e) => `.${e}`).join(', ')}.`,
      });
      return;
    }
    update(key, { state: 'sending' });
    try {
      const result = await uploadFile(tenant, file, (fraction) =>
        update(key, { fraction, state: fraction >= 1 ? 'indexing' : 'sending' }),
      );
      update(key, { state: result.failed.length > 0 ? 'failed' : 'done', fraction: 1, result });
    } catch (error) {
      update(key, { state: 'failed', error: messageOf(error) });
    }
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    addFiles([...event.dataTransfer.files]);
  };

  const pickOnComputer = async () => {
    if (!desktop) return;
    setBusy(true);
    setPathResult(null);
    try {
      const paths = await desktop.openFiles({
        multiple: true,
        extensions: ingestExtensions,
        title: 'Add files',
      });
      if (paths.length === 0) return; // the dialog was cancelled
      setPathResult({ result: await ingestPaths(tenant, paths) });
      onAdded();
    } catch (error) {
      setPathResult({ error: messageOf(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby={`${hintId}-title`}>
      <h2 className="panel-title" id={`${hintId}-title`}>
        Add files
      </h2>
      <div
        className={`drop-zone${dragging ? ' drop-zone-active' : ''}`}
        onDragOver={(event) => {
          event.preventDefault();
          event.dataTransfer.dropEffect = 'copy';
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <p id={hintId}>
          Drop files here, or choose them. Markdown, text, HTML, PDF, Word (.docx), JSON and JSONL, up to{' '}
          {maxMiB} MiB each. A file with the same name as an earlier upload replaces it.
        </p>
        <div className="toolbar">
          <button
            type="button"
            className="button button-primary"
            aria-describedby={hintId}
            onClick={() => input.current?.click()}
          >
            Choose files
          </button>
          {desktop && (
            <button type="button" className="button" disabled={busy} onClick={() => void pickOnComputer()}>
              Add from this computer…
            </button>
          )}
        </div>
        <input
          ref={input}
          type="file"
          multiple
          className="visually-hidden"
          tabIndex={-1}
          aria-label="Files to add"
          accept={ingestExtensions.map((e) => `.${e}`).join(',')}
          onChange={(event) => {
            addFiles([...(event.target.files ?? [])]);
            event.target.value = ''; // choosing the same file again is a new upload
          }}
        />
      </div>
      {busy && <p role="status">Adding the files from this computer…</p>}
      {pathResult?.error && (
        <p className="form-error" role="alert">
          {pathResult.error}
        </p>
      )}
      {pathResult?.result && <ResultLine result={pathResult.result} />}
      {items.length > 0 && (
        <ul className="upload-list" aria-label="Uploads">
          {items.map((item) => (
            <UploadRow key={item.key} item={item} />
          ))}
        </ul>
      )}
    </section>
  );
}

function UploadRow({ item }: { item: UploadItem }) {
  const percent = Math.round(item.fraction * 100);
  return (
    <li className={`upload-item upload-${item.state}`}>
      <div className="upload-head">
        <span className="upload-name">{item.name}</span>
        <span className="muted">{formatSize(item.size)}</span>
        <span className="upload-state">{stateLabel(item)}</span>
      </div>
      {(item.state === 'sending' || item.state === 'indexing' || item.state === 'waiting') && (
        <div
          className="progress"
          role="progressbar"
          aria-label={`Upload of ${item.name}`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
        >
          <div className="progress-bar" style={{ width: `${percent}%` }} />
        </div>
      )}
      {item.error && <p className="upload-error">{item.error}</p>}
      {item.result && <ResultLine result={item.result} />}
    </li>
  );
}

function stateLabel(item: UploadItem): string {
  switch (item.state) {
    case 'waiting':
      return 'Waiting';
    case 'sending':
      return `Uploading ${Math.round(item.fraction * 100)}%`;
    case 'indexing':
      return 'Indexing…';
    case 'failed':
      return 'Failed';
    case 'done': {
      const r = item.result;
      if (r && r.added > 0) return 'Added';
      if (r && r.updated > 0) return 'Updated';
      return 'Unchanged';
    }
  }
}

/** The server's counts, and each failed or ignored file with the reason. */
function ResultLine({ result }: { result: IngestResult }) {
  return (
    <div className="upload-result">
      <p>
        {result.added} added, {result.updated} updated, {result.skipped} unchanged;{' '}
        {result.chunks === 1 ? '1 passage' : `${result.chunks} passages`} indexed in{' '}
        {result.seconds.toFixed(1)} s.
      </p>
      {result.notice && <p className="muted">{result.notice}</p>}
      {(result.failed.length > 0 || result.ignored.length > 0) && (
        <ul className="failures">
          {result.failed.map((f) => (
            <li key={`f-${f.file}-${f.reason}`} className="run-error">
              {f.file}: {f.reason}
            </li>
          ))}
          {result.ignored.map((f) => (
            <li key={`i-${f.file}-${f.reason}`}>
              {f.file}: ignored, {f.reason}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
