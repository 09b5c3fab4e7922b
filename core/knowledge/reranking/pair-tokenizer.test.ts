import { Tokenizer } from '@huggingface/tokenizers';
import { describe, expect, it } from 'vitest';
import { PairTokenizer } from './pair-tokenizer.js';
import { tinyCrossEncoderTokenizerJson } from './tiny-cross-encoder.js';

const bertJson = JSON.parse(tinyCrossEncoderTokenizerJson()) as Record<string, unknown> & {
  model: { vocab: Record<string, number> };
};
const vocab = bertJson.model.vocab;
const id = (token: string) => vocab[token] ?? -1;
const [cls, sep] = [id('[CLS]'), id('[SEP]')];

/** The tokenizer's own pair encoding, which PairTokenizer must reproduce whenever nothing is cut. */
function hfPair(json: object, query: string, passage: string) {
  const HfTokenizer = Tokenizer as unknown as new (
    json: object,
    config: object,
  ) => {
    encode(
      text: string,
      options: { text_pair: string; return_token_type_ids: true },
    ): { ids: number[]; token_type_ids: number[] };
  };
  const encoded = new HfTokenizer(json, {}).encode(query, {
    text_pair: passage,
    return_token_type_ids: true,
  });
  return { ids: encoded.ids, typeIds: encoded.token_type_ids };
}

describe('pair tokenizer', () => {
  const tokenizer = new PairTokenizer(bertJson, {}, 24);

  it('builds [CLS] query [SEP] passage [SEP] with token types 0 and 1', () => {
    const pair = tokenizer.encode('reset my password', 'vpn login');
    expect(pair.ids).toEqual([cls, id('reset'), id('my'), id('password'), sep, id('vpn'), id('login'), sep]);
    expect(pair.typeIds).toEqual([0, 0, 0, 0, 0, 1, 1, 1]);
    expect(pair).toEqual(hfPair(bertJson, 'reset my password', 'vpn login'));
    expect(tokenizer.encode('How do I reset my password?', 'Steps to change it.')).toEqual(
      hfPair(bertJson, 'How do I reset my password?', 'Steps to change it.'),
    );
  });

  it('cuts the passage, never the query, to maxTokens and keeps the closing [SEP]', () => {
    const query = 'how do i reset my password';
    const pair = tokenizer.encode(query, 'printer help '.repeat(200));
    expect(pair.ids).toHaveLength(24);
    expect(pair.ids.slice(0, 8)).toEqual([cls, ...query.split(' ').map(id), sep]);
    expect(pair.ids.at(-1)).toBe(sep);
    expect(pair.typeIds.filter((t) => t === 1)).toHaveLength(24 - 8);
  });

  it('cuts a query longer than half the window so the passage keeps room', () => {
    const pair = tokenizer.encode('help '.repeat(50), 'vpn login');
    // 24 tokens minus 3 specials leave 21: the query gets 11, the two passage tokens fit after it.
    expect(pair.ids).toEqual([cls, ...Array<number>(11).fill(id('help')), sep, id('vpn'), id('login'), sep]);
  });

  it('handles an empty passage', () => {
    expect(tokenizer.encode('vpn', '').ids).toEqual([cls, id('vpn'), sep, sep]);
  });

  it('follows whatever pair template the tokenizer.json has (RoBERTa-style, one segment type)', () => {
    const piece = (token: string) => ({ SpecialToken: { id: token, type_id: 0 } });
    const sequence = (side: 'A' | 'B') => ({ Sequence: { id: side, type_id: 0 } });
    const roberta = {
      ...bertJson,
      post_processor: {
        ...(bertJson.post_processor as object),
        pair: [piece('[CLS]'), sequence('A'), piece('[SEP]'), piece('[SEP]'), sequence('B'), piece('[SEP]')],
      },
    };
    const pair = new PairTokenizer(roberta, {}, 24).encode('vpn', 'login help');
    expect(pair.ids).toEqual([cls, id('vpn'), sep, sep, id('login'), id('help'), sep]);
    expect(pair.typeIds).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(pair).toEqual(hfPair(roberta, 'vpn', 'login help'));
  });

  it('refuses a window too small for both texts', () => {
    expect(() => new PairTokenizer(bertJson, {}, 4)).toThrow(/no room/);
  });
});
