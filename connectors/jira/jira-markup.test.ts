import { describe, expect, it } from 'vitest';
import jiraConnector from './index.js';
import { adfToMarkdown, wikiToMarkdown } from './jira-markup.js';

describe('Jira bodies as Markdown', () => {
  it('converts wiki markup: headings, emphasis, lists, links, quotes and tables', () => {
    const wiki =
      'h3. Fix\n*Restart* the {{vpnd}} service, see [docs|https://ex.com].\n# one\n## nested\n{quote}\nIt works\n{quote}\n||OS||Fix||\n|Linux|5.2|';
    expect(wikiToMarkdown(wiki)).toBe(
      '### Fix\n**Restart** the `vpnd` service, see [docs](https://ex.com).\n1. one\n  1. nested\n> It works\n| OS | Fix |\n| --- | --- |\n| Linux | 5.2 |',
    );
  });

  it('converts ADF: headings, marks, nested lists and code blocks', () => {
    const text = (t: string, marks: { type: string }[] = []): unknown => ({ type: 'text', text: t, marks });
    const doc = {
      type: 'doc',
      version: 1,
      content: [
        { type: 'heading', attrs: { level: 2 }, content: [text('Steps')] },
        {
          type: 'paragraph',
          content: [text('Run '), text('reset', [{ type: 'code' }]), text(' now', [{ type: 'strong' }])],
        },
        {
          type: 'bulletList',
          content: [
            {
              type: 'listItem',
              content: [
                { type: 'paragraph', content: [text('outer')] },
                {
                  type: 'orderedList',
                  content: [{ type: 'listItem', content: [{ type: 'paragraph', content: [text('inner')] }] }],
                },
              ],
            },
          ],
        },
        { type: 'codeBlock', attrs: { language: 'sh' }, content: [text('vpn --reset')] },
      ],
    };
    expect(adfToMarkdown(doc)).toBe(
      '## Steps\n\nRun `reset` **now**\n\n- outer\n  1. inner\n\n```sh\nvpn --reset\n```',
    );
  });

  it('declares its secret as a top-level settings field, as the sync runner resolves them', () => {
    const settings = jiraConnector.settingsSchema.parse({
      baseUrl: 'https://jira.example.com',
      jql: 'project = SUP',
      token: { env: 'JIRA_TOKEN' },
    });
    for (const field of jiraConnector.secretFields) expect(settings).toHaveProperty(field);
    expect(settings).toMatchObject({ auth: { kind: 'bearer' }, apiVersion: 2, includeComments: true });
  });
});
