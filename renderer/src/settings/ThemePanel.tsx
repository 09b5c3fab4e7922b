import { useId } from 'react';
import { parseColour, safeHttpUrl } from '../../widget/theme.js';
import { CopyButton } from './CopyButton.js';
import { embedSnippet, keyPlaceholder, themeAttributes, type WidgetTheme } from './snippet.js';
import { WidgetPreview } from './WidgetPreview.js';

interface ThemePanelProps {
  theme: WidgetTheme;
  onChange: (theme: WidgetTheme) => void;
  widgetBase: string;
  /** The key just created and still on show, if any: the snippet carries it instead of a placeholder. */
  widgetKey: string | null;
}

/** The widget's look: the data-* attributes, a live preview of the real widget, and the snippet to paste. */
export function ThemePanel({ theme, onChange, widgetBase, widgetKey }: ThemePanelProps) {
  const id = useId();
  const set = (patch: Partial<WidgetTheme>) => onChange({ ...theme, ...patch });
  const colourProblem =
    theme.color.trim() !== '' && parseColour(theme.color) === null
      ? 'Use a colour like #1d4ed8, rgb(29 78 216) or teal; the widget ignores anything else.'
      : null;
  const logoProblem =
    theme.logo.trim() !== '' && safeHttpUrl(theme.logo) === null
      ? 'Use a full http(s) address, e.g. https://intranet.example.com/logo.svg.'
      : null;
  const picker = parseColour(theme.color)?.match(/^#[0-9a-f]{6}$/i) ? theme.color : '#1d4ed8';
  const snippet = embedSnippet(widgetBase, widgetKey ?? keyPlaceholder, theme);
  // The console's CSP loads images only from its own origin (img-src 'self'): a logo elsewhere stays out of the
  // preview rather than tripping the policy. Intranet pages have their own policy and show it.
  const logoUrl = logoProblem ? null : safeHttpUrl(theme.logo);
  const logoOutOfPreview = logoUrl !== null && new URL(logoUrl).origin !== window.location.origin;
  const previewAttributes = themeAttributes(logoOutOfPreview ? { ...theme, logo: '' } : theme);

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="panel-title">
        Widget appearance
      </h2>
      <p className="muted">
        The look is set in the embed snippet, page by page; airdesk does not store it. This browser remembers
        your last choices.
      </p>
      <div className="theme-layout">
        <form className="form" noValidate aria-label="Widget appearance" onSubmit={(e) => e.preventDefault()}>
          <div className="field">
            <label className="field-label" htmlFor={`${id}-title-input`}>
              Title
            </label>
            <input
              id={`${id}-title-input`}
              className="input"
              maxLength={80}
              placeholder="Help"
              value={theme.title}
              onChange={(e) => set({ title: e.target.value })}
            />
          </div>
          <div className="field">
            <label className="field-label" htmlFor={`${id}-color`}>
              Accent colour
            </label>
            <div className="colour-row">
              <input
                type="color"
                className="colour-swatch"
                aria-label="Pick the accent colour"
                value={picker}
                onChange={(e) => set({ color: e.target.value })}
              />
              <input
                id={`${id}-color`}
                className="input input-mono"
                spellCheck={false}
                value={theme.color}
                aria-invalid={colourProblem !== null}
                aria-describedby={colourProblem ? `${id}-color-error` : undefined}
                onChange={(e) => set({ color: e.target.value })}
              />
            </div>
            {colourProblem && (
              <span id={`${id}-color-error`} className="field-error">
                {colourProblem}
              </span>
            )}
          </div>
          <div className="field">
            <label className="field-label" htmlFor={`${id}-position`}>
              Position
            </label>
            <select
              id={`${id}-position`}
              className="select"
              value={theme.position}
              onChange={(e) => set({ position: e.target.value === 'left' ? 'left' : 'right' })}
            >
              <option value="right">Bottom right</option>
              <option value="left">Bottom left</option>
            </select>
          </div>
          <div className="field">
            <label className="field-label" htmlFor={`${id}-logo`}>
              Logo URL (optional)
            </label>
            <input
              id={`${id}-logo`}
              className="input"
              type="url"
              spellCheck={false}
              placeholder="https://intranet.example.com/logo.svg"
              value={theme.logo}
              aria-invalid={logoProblem !== null}
              aria-describedby={logoProblem ? `${id}-logo-error` : undefined}
              onChange={(e) => set({ logo: e.target.value })}
            />
            {logoProblem && (
              <span id={`${id}-logo-error`} className="field-error">
                {logoProblem}
              </span>
            )}
            {logoOutOfPreview && (
              <span className="field-help">
                The preview leaves this logo out: the console only loads images from its own address. Pages
                that embed the widget show it.
              </span>
            )}
          </div>
          <div className="field">
            <label className="field-label" htmlFor={`${id}-lang`}>
              Language
            </label>
            <select
              id={`${id}-lang`}
              className="select"
              value={theme.lang}
              onChange={(e) =>
                set({ lang: e.target.value === 'de' ? 'de' : e.target.value === 'en' ? 'en' : '' })
              }
            >
              <option value="">The page&apos;s language</option>
              <option value="en">English</option>
              <option value="de">Deutsch</option>
            </select>
          </div>
        </form>
        <WidgetPreview attributes={previewAttributes} />
      </div>
      <h3 className="section-title">Embed snippet</h3>
      {!widgetKey && (
        <p className="muted">
          Replace <code>{keyPlaceholder}</code> with a key from Widget keys above (or create one there and it
          appears here).
        </p>
      )}
      <pre className="snippet" aria-label="Embed snippet with this look">
        {snippet}
      </pre>
      <div className="form-actions">
        <CopyButton text={snippet} label="Copy snippet" />
      </div>
    </section>
  );
}
