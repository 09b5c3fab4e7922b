import { useEffect, useRef } from 'react';
import { sendShortcut, shortcuts } from './shortcuts.js';

/** The `?` dialog: every desk shortcut and what it does. */
export function ShortcutHelp({ open, onClose }: { open: boolean; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);

  return (
    <dialog ref={dialog} className="desk-dialog" aria-labelledby="desk-shortcuts-title" onClose={onClose}>
      <div className="desk-dialog-head">
        <h2 id="desk-shortcuts-title" className="panel-title">
          Keyboard shortcuts
        </h2>
        <button type="button" className="button" onClick={onClose}>
          Close
        </button>
      </div>
      <dl className="desk-shortcut-list">
        {Object.values(shortcuts).map((shortcut) => (
          <div key={shortcut.aria}>
            <dt>
              <kbd>{shortcut.aria}</kbd>
            </dt>
            <dd>{shortcut.label}</dd>
          </div>
        ))}
        <div>
          <dt>
            <kbd>Ctrl+Enter</kbd>
          </dt>
          <dd>{sendShortcut.label}</dd>
        </div>
      </dl>
      <p className="muted">Shortcuts work when the focus is not in a text field.</p>
    </dialog>
  );
}
