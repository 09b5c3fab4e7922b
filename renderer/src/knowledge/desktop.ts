import type { DesktopApi } from '../../../core/contract/desktop.js';

/** The desktop shell's preload API; undefined in a plain browser, where the console works without it. */
export function desktopApi(): DesktopApi | undefined {
  return (window as Window & { airdesk?: DesktopApi }).airdesk;
}

/**
 * File types the server's ingest reads, for the native dialog's filter. The server decides (and names the
 * types it reads when it refuses one); this list only saves picking a file it would refuse.
 */
export const ingestExtensions = ['md', 'markdown', 'txt', 'html', 'htm', 'pdf', 'docx', 'json', 'jsonl'];
