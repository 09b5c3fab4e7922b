/** The airdesk mark and name. */
export function Brand() {
  return (
    <div className="brand">
      <svg className="brand-mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
        <rect width="32" height="32" rx="7" />
        <path d="M9 22V12.5C9 10.6 10.6 9 12.5 9h7C21.4 9 23 10.6 23 12.5v5c0 1.9-1.6 3.5-3.5 3.5H13z" />
      </svg>
      <span className="brand-name">airdesk</span>
    </div>
  );
}
