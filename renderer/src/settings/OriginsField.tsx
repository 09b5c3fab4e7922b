interface OriginsFieldProps {
  id: string;
  value: string;
  problems: string[];
  onChange: (value: string) => void;
  label?: string;
}

/** The allowed origins of a widget key, one per line, with what is wrong with each shown under the field. */
export function OriginsField({
  id,
  value,
  problems,
  onChange,
  label = 'Allowed origins',
}: OriginsFieldProps) {
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <textarea
        id={id}
        className="input textarea"
        rows={3}
        spellCheck={false}
        autoComplete="off"
        placeholder="https://intranet.example.com"
        value={value}
        aria-invalid={problems.length > 0}
        aria-describedby={`${id}-help${problems.length > 0 ? ` ${id}-error` : ''}`}
        onChange={(e) => onChange(e.target.value)}
      />
      <span id={`${id}-help`} className="field-help">
        One per line: scheme://host[:port] of each page that embeds the widget, e.g.{' '}
        <code>https://intranet.example.com</code>. Pages on other origins are refused.
      </span>
      {problems.length > 0 && (
        <span id={`${id}-error`} className="field-error">
          {problems.join(' ')}
        </span>
      )}
    </div>
  );
}
