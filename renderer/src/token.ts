/** Accepts the bare token or the whole console URL `airdesk serve` printed, since people paste either. */
export function tokenFrom(input: string): string {
  const value = input.trim();
  if (!/^https?:\/\//i.test(value)) return value;
  try {
    return new URL(value).searchParams.get('token') ?? value;
  } catch {
    return value;
  }
}
