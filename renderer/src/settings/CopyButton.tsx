import { useEffect, useState } from 'react';

interface CopyButtonProps {
  text: string;
  /** The button's accessible name, e.g. "Copy key". */
  label: string;
}

/** Copies `text` to the clipboard and says so; when the clipboard is refused it says to copy by hand. */
export function CopyButton({ text, label }: CopyButtonProps) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state !== 'copied') return;
    const timer = setTimeout(() => setState('idle'), 2_500);
    return () => clearTimeout(timer);
  }, [state]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
  }

  return (
    <span className="copy">
      <button type="button" className="button" onClick={() => void copy()}>
        {label}
      </button>
      <span role="status" aria-live="polite" className="copy-status">
        {state === 'copied' && 'Copied'}
        {state === 'failed' && 'The clipboard is not available here: select the text and copy it.'}
      </span>
    </span>
  );
}
