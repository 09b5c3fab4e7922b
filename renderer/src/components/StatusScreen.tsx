interface StatusScreenProps {
  title: string;
  message?: string;
  onRetry?: () => void;
}

/** A full-page message shown before the console can start: connecting, or the server is unreachable. */
export function StatusScreen({ title, message, onRetry }: StatusScreenProps) {
  return (
    <main className="status-screen">
      <div className="card status-card" role={onRetry ? 'alert' : 'status'}>
        <h1 className="status-title">{title}</h1>
        {message && <p>{message}</p>}
        {onRetry && (
          <button type="button" className="button button-primary" onClick={onRetry}>
            Try again
          </button>
        )}
      </div>
    </main>
  );
}
