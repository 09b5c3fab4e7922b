import { describe, expect, it } from 'vitest';
import type { QueryType } from '../../contract/retrieval.js';
import { classifyQuery } from './query-type.js';

// Hand-written examples of each kind (not taken from any benchmark set), including harder mixed cases.
const examples: Record<QueryType, string[]> = {
  exact_match: [
    '"order not found"',
    'E1045',
    'error 0x80070005',
    'INV-20931',
    'ERR_CONNECTION_RESET',
    'config.yaml',
    'ticket #48213',
    'HTTP 503',
  ],
  technical: [
    'how do I install the printer driver on version 2.4',
    'vpn client fails to connect after the firmware update',
    'sso login not working with ldap',
    'reset 2fa token for the api',
    'steps to configure the smtp server port',
    'browser cache keeps old password',
  ],
  conversational: [
    "hi, I've been trying to get my refund for two weeks and nobody answers me, can you help?",
    'thanks so much! could you also tell me when my order will arrive?',
    "hello, I'm not sure what to do, my account looks strange today",
    'I need help please, I cannot find my invoice anywhere and I am getting frustrated',
  ],
  conceptual: [
    'what is the difference between term and whole life insurance',
    'why does my premium depend on age',
    'explain the return policy',
    'what does deductible mean',
    'benefits of a health savings account',
    'annuity',
  ],
};

describe('query type classifier', () => {
  for (const [type, queries] of Object.entries(examples)) {
    it(`recognises ${type} queries`, () => {
      for (const q of queries) expect(classifyQuery(q).type, q).toBe(type);
    });
  }

  it('gets at least 90% of a mixed set right and explains itself with scores', () => {
    const all = Object.entries(examples).flatMap(([t, qs]) => qs.map((q) => [t, q] as const));
    const right = all.filter(([t, q]) => classifyQuery(q).type === t).length;
    expect(right / all.length).toBeGreaterThanOrEqual(0.9);
    const { scores } = classifyQuery('error 0x80070005');
    expect(scores.exact_match).toBeGreaterThan(scores.conceptual);
  });

  it('copes with empty and odd input', () => {
    expect(classifyQuery('').type).toBe('conceptual');
    expect(classifyQuery('   ??? ').type).toBeDefined();
    expect(classifyQuery('x'.repeat(100_000)).type).toBeDefined();
  });
});
