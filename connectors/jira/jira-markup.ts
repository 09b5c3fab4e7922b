/**
 * Jira text bodies as Markdown, best effort: REST v2 delivers Jira wiki markup, v3 delivers Atlassian Document
 * Format (ADF). Unknown constructs keep their text, so nothing a customer wrote is lost to the index.
 */

/** Jira wiki markup (h1., *bold*, {code}, {quote}, bullets, tables, links) as Markdown. */
export function wikiToMarkdown(wiki: string): string {
  const out: string[] = [];
  let fence: string | null = null;
  for (const raw of wiki.replace(/\r\n?/g, '\n').split('\n')) {
    const block = /^\s*\{(code|noformat)(?::([^}|]*))?[^}]*\}(.*)$/.exec(raw);
    if (fence === null && block) {
      fence = block[1] ?? 'code';
      out.push('```' + (block[1] === 'code' ? (block[2] ?? '').trim() : ''));
      const rest = (block[3] ?? '').replace(/\{(code|noformat)\}\s*$/, '');
      if (rest.trim() !== '') out.push(rest);
      if (/\{(code|noformat)\}\s*$/.test(block[3] ?? '')) {
        out.push('```');
        fence = null;
      }
      continue;
    }
    if (fence !== null) {
      const end = raw.indexOf(`{${fence}}`);
      if (end >= 0) {
        if (raw.slice(0, end).trim() !== '') out.push(raw.slice(0, end));
        out.push('```');
        fence = null;
      } else out.push(raw);
      continue;
    }
    out.push(wikiLine(raw));
  }
  if (fence !== null) out.push('```');
  return out
    .join('\n')
    .replace(/\{quote\}\n?([\s\S]*?)\{quote\}/g, (_m, body: string) =>
      body
        .trim()
        .split('\n')
        .map((line) => `> ${line}`)
        .join('\n'),
    )
    .trim();
}

function wikiLine(line: string): string {
  const heading = /^\s*h([1-6])\.\s+(.*)$/.exec(line);
  if (heading) return `${'#'.repeat(Number(heading[1]))} ${wikiInline(heading[2] ?? '')}`;
  const list = /^\s*([*#-]+)\s+(.*)$/.exec(line);
  if (list && !/^\*[^*\s].*\*/.test(line.trim())) {
    const marks = list[1] ?? '*';
    const indent = '  '.repeat(marks.length - 1);
    return `${indent}${marks.endsWith('#') ? '1.' : '-'} ${wikiInline(list[2] ?? '')}`;
  }
  if (/^\s*bq\.\s+/.test(line)) return `> ${wikiInline(line.replace(/^\s*bq\.\s+/, ''))}`;
  if (/^\s*\|\|/.test(line)) {
    const cells = line.trim().replace(/^\|\|/, '').replace(/\|\|$/, '').split('||');
    return `| ${cells.map(wikiInline).join(' | ')} |\n|${cells.map(() => ' --- |').join('')}`;
  }
  if (/^\s*\|/.test(line)) {
    const cells = line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|');
    return `| ${cells.map(wikiInline).join(' | ')} |`;
  }
  if (/^\s*----\s*$/.test(line)) return '---';
  return wikiInline(line);
}

function wikiInline(text: string): string {
  return text
    .replace(/\{\{([^}]+)\}\}/g, '`$1`')
    .replace(/\[([^|\]]+)\|([^\]]+)\]/g, '[$1]($2)')
    .replace(/\[(https?:\/\/[^\]]+)\]/g, '<$1>')
    .replace(/(^|[\s(])\*(\S(?:[^*]*\S)?)\*(?=$|[\s).,:;!?])/g, '$1**$2**')
    .replace(/(^|[\s(])_(\S(?:[^_]*\S)?)_(?=$|[\s).,:;!?])/g, '$1*$2*')
    .replace(/(^|[\s(])-(\S(?:[^-]*\S)?)-(?=$|[\s).,:;!?])/g, '$1~~$2~~')
    .replace(/\{color(?::[^}]*)?\}/g, '');
}

interface AdfNode {
  type?: unknown;
  text?: unknown;
  attrs?: Record<string, unknown>;
  marks?: { type?: unknown; attrs?: Record<string, unknown> }[];
  content?: unknown;
}

/** An ADF document (v3 description or comment body) as Markdown. */
export function adfToMarkdown(doc: unknown): string {
  return adfBlocks(children(doc), '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function children(node: unknown): AdfNode[] {
  if (typeof node !== 'object' || node === null) return [];
  const content = (node as AdfNode).content;
  return Array.isArray(content)
    ? (content.filter((c) => typeof c === 'object' && c !== null) as AdfNode[])
    : [];
}

function adfBlocks(nodes: AdfNode[], indent: string): string {
  return nodes.map((node) => adfBlock(node, indent)).join('\n\n');
}

function adfBlock(node: AdfNode, indent: string): string {
  const inner = children(node);
  switch (node.type) {
    case 'paragraph':
      return indent + adfInline(inner);
    case 'heading': {
      const level = Math.min(6, Math.max(1, Number(node.attrs?.level ?? 1)));
      return `${'#'.repeat(level)} ${adfInline(inner)}`;
    }
    case 'bulletList':
    case 'orderedList':
      return inner
        .map((item) => {
          const [first, ...rest] = children(item);
          const marker = node.type === 'orderedList' ? '1.' : '-';
          const head = `${indent}${marker} ${first ? adfBlock(first, '').trim() : ''}`;
          const tail = rest.map((child) => adfBlock(child, indent + '  ')).filter((s) => s.trim() !== '');
          return [head, ...tail].join('\n');
        })
        .join('\n');
    case 'codeBlock': {
      const language = typeof node.attrs?.language === 'string' ? node.attrs.language : '';
      return '```' + language + '\n' + adfInline(inner) + '\n```';
    }
    case 'blockquote':
      return adfBlocks(inner, '')
        .split('\n')
        .map((line) => `> ${line}`)
        .join('\n');
    case 'panel':
      return adfBlocks(inner, '')
        .split('\n')
        .map((line) => `> ${line}`)
        .join('\n');
    case 'rule':
      return '---';
    case 'table':
      return inner
        .map((row, index) => {
          const cells = children(row).map((cell) => adfBlocks(children(cell), '').replace(/\n+/g, ' '));
          const line = `| ${cells.join(' | ')} |`;
          return index === 0 ? `${line}\n|${cells.map(() => ' --- |').join('')}` : line;
        })
        .join('\n');
    case 'mediaSingle':
    case 'mediaGroup':
      return '';
    default:
      return inner.length > 0 ? adfBlocks(inner, indent) : indent + adfInline([node]);
  }
}

function adfInline(nodes: AdfNode[]): string {
  return nodes
    .map((node) => {
      switch (node.type) {
        case 'text': {
          const raw = typeof node.text === 'string' ? node.text : '';
          // Emphasis cannot start or end with a space in Markdown, so spaces stay outside the marks.
          const [, lead = '', core = '', trail = ''] = /^(\s*)([\s\S]*?)(\s*)$/.exec(raw) ?? [];
          if (core === '') return raw;
          let text = core;
          for (const mark of node.marks ?? []) {
            if (mark.type === 'strong') text = `**${text}**`;
            else if (mark.type === 'em') text = `*${text}*`;
            else if (mark.type === 'code') text = '`' + text + '`';
            else if (mark.type === 'strike') text = `~~${text}~~`;
            else if (mark.type === 'link' && typeof mark.attrs?.href === 'string')
              text = `[${text}](${mark.attrs.href})`;
          }
          return lead + text + trail;
        }
        case 'hardBreak':
          return '\n';
        case 'mention':
        case 'emoji':
        case 'date':
        case 'status': {
          const value = node.attrs?.text ?? node.attrs?.shortName ?? node.attrs?.timestamp;
          return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
        }
        case 'inlineCard':
          return typeof node.attrs?.url === 'string' ? `<${node.attrs.url}>` : '';
        default:
          return adfInline(children(node));
      }
    })
    .join('');
}
