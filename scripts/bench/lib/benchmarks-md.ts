import fs from 'node:fs';
import path from 'node:path';

const file = path.resolve(import.meta.dirname, '..', '..', '..', 'BENCHMARKS.md');
const header =
  '# Benchmarks\n\nWritten by the `npm run bench:*` scripts; each section is replaced when its script runs again.\n';

/** Replaces (or appends) the section `## <title>` of BENCHMARKS.md, keeping every other section. */
export function writeSection(title: string, body: string): string {
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : header;
  const marker = `## ${title}`;
  const section = `${marker}\n\n${body.trim()}\n`;
  const start = current.indexOf(`\n${marker}\n`);
  let next: string;
  if (start < 0) next = `${current.trimEnd()}\n\n${section}`;
  else {
    const rest = current.slice(start + 1);
    const end = rest.indexOf('\n## ', marker.length);
    next = current.slice(0, start + 1) + section + (end < 0 ? '' : rest.slice(end));
  }
  fs.writeFileSync(file, next.trimEnd() + '\n');
  return file;
}

/** A Markdown table from a header row and data rows. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}
