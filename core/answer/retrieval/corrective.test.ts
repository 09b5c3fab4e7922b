import { describe, expect, it } from 'vitest';
import type { SearchHit, SearchResult } from '../../contract/retrieval.js';
import { retrieveCorrectively, type Searcher } from './corrective.js';
import { gradeHit } from './grade.js';
import { editDistance, expandedQuery, keywordQuery } from './rewrite.js';
import { contentTerms } from './terms.js';

function hit(id: string, title: string, text: string, vector?: number): SearchHit {
  return {
    docId: id,
    externalId: id,
    title,
    source: `${id}.md`,
    chunkId: `${id}#0`,
    parentId: `${id}#p0`,
    snippet: text,
    parentText: text,
    headings: [],
    score: 1,
    stages: vector === undefined ? {} : { vector: { rank: 1, score: vector } },
  };
}

const docs = [
  hit(
    'refund',
    'Refund policy',
    'Refunds are paid to the original card within 5 business days of receiving the return.',
  ),
  hit(
    'password',
    'Reset password',
    'To reset your password open Settings, choose Security and click Reset password.',
  ),
  hit(
    'shipping',
    'Shipping options',
    'Standard shipping takes 3 to 5 days; express shipping arrives the next day.',
  ),
];

/** Full-text search over three documents: a hit when any query word (or its stem) occurs in the document. */
class WordSearcher implements Searcher {
  readonly queries: string[] = [];
  search(_tenant: string, query: string): Promise<SearchResult> {
    this.queries.push(query);
    const terms = contentTerms(query);
    const hits = docs
      .map((d) => ({
        d,
        n: [...terms].filter((t) => contentTerms(`${d.title} ${d.parentText}`).has(t)).length,
      }))
      .filter((x) => x.n > 0)
      .sort((a, b) => b.n - a.n)
      .map((x) => ({ ...x.d, score: x.n }));
    return Promise.resolve({
      hits,
      mode: 'bm25',
      fusion: null,
      queryType: 'conceptual',
      alpha: null,
      timings: { embedMs: 0, bm25Ms: 0, vectorMs: 0, fuseMs: 0, rerankMs: 0, totalMs: 0 },
    });
  }
}

describe('grading', () => {
  it('relevant when the section holds most of the question’s topic words', () => {
    const g = gradeHit(contentTerms('how do I reset my password'), docs[1]!);
    expect(g.grade).toBe('relevant');
    expect(g.coverage).toBe(1);
  });
  it('irrelevant when it shares neither words nor meaning', () => {
    expect(gradeHit(contentTerms('what is the warranty on laptops'), docs[0]!).grade).toBe('irrelevant');
  });
  it('meaning lifts a partial word match to relevant; a cross-encoder score decides on its own', () => {
    const q = contentTerms('when will my money come back for the returned shoes');
    expect(gradeHit(q, { ...docs[0]!, stages: { vector: { rank: 1, score: 0.62 } } }).grade).not.toBe(
      'irrelevant',
    );
    expect(gradeHit(q, { ...docs[0]!, stages: { rerank: 3.1 } }).grade).toBe('relevant');
    expect(gradeHit(q, { ...docs[0]!, stages: { rerank: -9 } }).grade).toBe('irrelevant');
  });
});

describe('rewrites', () => {
  it('keywords drop the chatter', () => {
    expect(keywordQuery('Hi! Could you please tell me how I can reset my password?')).toBe('reset password');
  });
  it('expansion fixes spelling to the knowledge base’s own words and adds its topic terms', () => {
    const q = expandedQuery('pasword resett', [docs[1]!]);
    expect(q.split(' ').slice(0, 2)).toEqual(['password', 'reset']);
    expect(q).toMatch(/settings|security/);
  });
  it('edit distance counts a transposition as one edit', () => {
    expect(editDistance('refnud', 'refund')).toBe(1);
    expect(editDistance('abc', 'xyz', 1)).toBe(2);
  });
});

describe('retrieveCorrectively', () => {
  it('does one search when the first is relevant', async () => {
    const s = new WordSearcher();
    const r = await retrieveCorrectively(s, 't', 'how do I reset my password');
    expect(r.grade).toBe('relevant');
    expect(s.queries).toHaveLength(1);
    expect(r.hits[0]?.hit.docId).toBe('password');
  });

  it('rewrites a misspelt question and finds the answer on the second try', async () => {
    const s = new WordSearcher();
    const r = await retrieveCorrectively(
      s,
      't',
      'hi there, how to resett my pasword for the security settings pls',
    );
    expect(s.queries.length).toBeGreaterThan(1);
    expect(r.queries).toEqual(s.queries);
    expect(r.hits[0]?.hit.docId).toBe('password');
  });

  it('stays irrelevant when the knowledge base has nothing, so the caller abstains', async () => {
    const r = await retrieveCorrectively(new WordSearcher(), 't', 'what is the warranty on laptops');
    expect(r.grade).toBe('irrelevant');
    expect(r.hits).toEqual([]);
  });
});
