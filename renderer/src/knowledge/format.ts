/** A timestamp in the reader's locale; the raw text when it does not parse. */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** A score with as many digits as tell scores of its size apart. */
export function formatScore(score: number): string {
  if (!Number.isFinite(score)) return String(score);
  return Math.abs(score) >= 100
    ? score.toFixed(0)
    : Math.abs(score) >= 1
      ? score.toFixed(2)
      : score.toFixed(3);
}
