import { Tokenizer } from '@huggingface/tokenizers';

/**
 * The part of @huggingface/tokenizers we use (typed here for the reason text-tokenizer.ts gives: its .d.ts
 * files cannot be followed under NodeNext resolution).
 */
interface HfTokenizer {
  encode(
    text: string,
    options?: { text_pair?: string; add_special_tokens?: boolean; return_token_type_ids?: boolean },
  ): { ids: number[]; token_type_ids?: number[] };
}
const HfTokenizerClass = Tokenizer as unknown as new (json: object, config: object) => HfTokenizer;

/** One (query, passage) pair as the cross-encoder reads it. */
export interface EncodedPair {
  ids: number[];
  /** Segment of each token: the query's and the passage's type as the tokenizer's pair template sets them. */
  typeIds: number[];
}

/** A run of special tokens the pair template puts around or between the two texts. */
interface Specials {
  ids: number[];
  types: number[];
}

/** Where the pair template puts its special tokens, and which segment type each text gets. */
interface PairTemplate {
  prefix: Specials;
  middle: Specials;
  suffix: Specials;
  queryType: number;
  passageType: number;
}

/**
 * Encodes (query, passage) pairs the way the cross-encoder was trained: BERT's `[CLS] q [SEP] p [SEP]` with
 * token types 0/1, RoBERTa's `<s> q </s></s> p </s>`, whatever the tokenizer.json's pair template says.
 * The JS tokenizer has no truncation, so the template is learned once from the tokenizer's own pair
 * encoding and the pair is assembled here: that lets the passage be cut to fit maxTokens while the query,
 * which carries the whole question, stays whole.
 */
export class PairTokenizer {
  private readonly tokenizer: HfTokenizer;
  private readonly template: PairTemplate;
  /** Tokens left for the two texts once the template's special tokens are in. */
  private readonly budget: number;

  constructor(
    tokenizerJson: object,
    tokenizerConfig: object,
    readonly maxTokens: number,
  ) {
    this.tokenizer = new HfTokenizerClass(tokenizerJson, tokenizerConfig);
    this.template = this.learnTemplate();
    const { prefix, middle, suffix } = this.template;
    this.budget = maxTokens - prefix.ids.length - middle.ids.length - suffix.ids.length;
    if (this.budget < 2) throw new Error(`maxTokens ${maxTokens} leaves no room for a query and a passage`);
  }

  /**
   * The pair's token ids and types, at most maxTokens long. The passage is truncated first; the query is
   * cut only when it alone would take more than half the window, so a pasted essay as a query still leaves
   * the passage room to be judged.
   */
  encode(query: string, passage: string): EncodedPair {
    const queryCap = this.budget - Math.floor(this.budget / 2);
    const queryIds = this.plainIds(query, queryCap);
    const passageIds = this.plainIds(passage, this.budget - queryIds.length);
    const { prefix, middle, suffix, queryType, passageType } = this.template;
    return {
      ids: [...prefix.ids, ...queryIds, ...middle.ids, ...passageIds, ...suffix.ids],
      typeIds: [
        ...prefix.types,
        ...queryIds.map(() => queryType),
        ...middle.types,
        ...passageIds.map(() => passageType),
        ...suffix.types,
      ],
    };
  }

  /** Token ids of `text` without special tokens, at most `limit` of them. */
  private plainIds(text: string, limit: number): number[] {
    // Tokenizing a whole manual to keep its first 500 tokens wastes time, so the text is cut first and the
    // cut widened until it yields enough; the margin keeps a word split by the cut among the dropped tokens.
    let chars = limit * 8;
    let ids = this.tokenizer.encode(text.slice(0, chars), { add_special_tokens: false }).ids;
    while (chars < text.length && ids.length < limit + cutMargin) {
      chars *= 4;
      ids = this.tokenizer.encode(text.slice(0, chars), { add_special_tokens: false }).ids;
    }
    return ids.length <= limit ? ids : ids.slice(0, limit);
  }

  private learnTemplate(): PairTemplate {
    const a = this.tokenizer.encode(probeA, { add_special_tokens: false }).ids;
    const b = this.tokenizer.encode(probeB, { add_special_tokens: false }).ids;
    const pair = this.tokenizer.encode(probeA, { text_pair: probeB, return_token_type_ids: true });
    // A tokenizer without a post-processor gives no types: then both texts are segment 0, as it would do.
    const types = pair.token_type_ids ?? pair.ids.map(() => 0);
    const aStart = indexOfRun(pair.ids, a, 0);
    const bStart = aStart < 0 ? -1 : indexOfRun(pair.ids, b, aStart + a.length);
    if (aStart < 0 || bStart < 0 || a.length === 0 || b.length === 0)
      throw new Error('its pair encoding does not contain the two texts; it cannot encode (query, passage)');
    const span = (from: number, to: number): Specials => ({
      ids: pair.ids.slice(from, to),
      types: types.slice(from, to),
    });
    return {
      prefix: span(0, aStart),
      middle: span(aStart + a.length, bStart),
      suffix: span(bStart + b.length, pair.ids.length),
      queryType: types[aStart] ?? 0,
      passageType: types[bStart] ?? 0,
    };
  }
}

const cutMargin = 32;
/** Texts whose tokens show where the template puts each side; any vocabulary has these letters. */
const probeA = 'a';
const probeB = 'b';

function indexOfRun(haystack: number[], needle: number[], from: number): number {
  outer: for (let i = from; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
