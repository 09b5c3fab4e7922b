import { isAbsolute } from 'node:path';
import { z } from 'zod';

/** Extensions the ingestion parsers read (core/knowledge/ingest/parse-file.ts), without the dot. */
export const defaultInclude = [
  'md',
  'markdown',
  'txt',
  'html',
  'htm',
  'pdf',
  'docx',
  'json',
  'jsonl',
] as const;

export const defaultMaxFileBytes = 64 * 1024 * 1024;

/** Settings of a folder connector as the admin writes them. No secrets: access is the service account's. */
export const folderSettingsSchema = z.strictObject({
  /** Absolute path of the folder; a mounted SMB/NFS share (`/mnt/kb`, `\\server\kb`) is just a path. */
  path: z
    .string()
    .min(1)
    .refine((path) => isAbsolute(path), 'an absolute path (mount a network share and give its path)'),
  /** File types to read: `md`, `.md` or `*.md`, matched case-insensitively. */
  include: z
    .array(z.string().regex(/^(\*\.|\.)?[A-Za-z0-9_-]+$/, 'an extension such as "md", ".md" or "*.md"'))
    .min(1)
    .default([...defaultInclude]),
  /**
   * Paths to leave out, relative to the folder: a plain path excludes that file or folder and everything under it
   * (`archive`, `drafts/old`); a pattern with `*` or `?` matches the whole relative path when it has a `/`
   * (`archive/**`, `drafts/*.md`) and any file or folder name otherwise (`*.tmp`, `~*`). `**` crosses folders.
   */
  exclude: z.array(z.string().min(1)).default([]),
  /** Larger files are reported as failures, not read. */
  maxFileBytes: z.number().int().positive().default(defaultMaxFileBytes),
  /** Follow symbolic links whose target lies inside the folder; a link out of the folder is never followed. */
  followSymlinks: z.boolean().default(false),
  /** Start a sync soon after a change the host sees (a scheduled sync still runs: see watch.ts). */
  watch: z.boolean().default(false),
});

export type FolderSettings = z.output<typeof folderSettingsSchema>;

/** Lower-case extensions with the dot (`.md`), as `extname` returns them. */
export function includedExtensions(include: readonly string[]): Set<string> {
  return new Set(include.map((entry) => '.' + entry.replace(/^\*?\./, '').toLowerCase()));
}

const globCharacters = /[*?]/;

function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i] ?? '';
    if (char === '*' && glob[i + 1] === '*') {
      // `**/` matches zero or more folders; a bare `**` anything at all.
      if (glob[i + 2] === '/') {
        source += '(?:.*/)?';
        i += 2;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** Leading `./` or `/` and trailing `/` carry no meaning in a pattern relative to the folder. */
const trimPattern = (pattern: string): string =>
  pattern
    .replace(/\\/g, '/')
    .replace(/^(\.\/|\/)+/, '')
    .replace(/\/+$/, '');

/**
 * Builds the exclusion test for relative paths (posix separators) of files and folders; see `exclude` above.
 * A folder that is excluded is not entered at all.
 */
export function exclusionMatcher(patterns: readonly string[]): (relativePath: string) => boolean {
  const prefixes: string[] = [];
  const pathGlobs: RegExp[] = [];
  const nameGlobs: RegExp[] = [];
  for (const raw of patterns) {
    const pattern = trimPattern(raw);
    if (!pattern) continue;
    if (!globCharacters.test(pattern)) prefixes.push(pattern);
    else if (pattern.includes('/')) pathGlobs.push(globToRegExp(pattern));
    else nameGlobs.push(globToRegExp(pattern));
  }
  return (relativePath) => {
    if (prefixes.some((prefix) => relativePath === prefix || relativePath.startsWith(prefix + '/')))
      return true;
    if (pathGlobs.some((glob) => glob.test(relativePath))) return true;
    const name = relativePath.slice(relativePath.lastIndexOf('/') + 1);
    return nameGlobs.some((glob) => glob.test(name));
  };
}
