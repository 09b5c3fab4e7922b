import { Tokenizer } from '@huggingface/tokenizers';

/**
 * The part of @huggingface/tokenizers we use. Its published .d.ts files use extensionless relative imports
 * that NodeNext resolution cannot follow, so the class is typed here instead of arriving as `any`.
 */
interface HfTokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): { ids: number[] };
}
const HfTokenizerClass = Tokenizer as unknown as new (json: object, config: object) => HfTokenizer;

/**
 * A Hugging Face `tokenizer.json` with truncation that keeps the model's special tokens. tokenizer.json's own
 * truncation and padding settings are ignored: the runner truncates to the manifest's maxTokens and pads per
 * batch, which is what sentence-transformers does.
 */
export class TextTokenizer {
  private readonly tokenizer: HfTokenizer;
  /** Special tokens the template puts after the text ([SEP], </s>): kept when the text is cut. */
  private readonly suffixLength: number;

  constructor(
    tokenizerJson: object,
    tokenizerConfig: object,
    readonly maxTokens: number,
  ) {
    this.tokenizer = new HfTokenizerClass(tokenizerJson, tokenizerConfig);
    const withSpecials = this.tokenizer.encode('a').ids;
    const plain = this.tokenizer.encode('a', { add_special_tokens: false }).ids;
    const start = indexOfRun(withSpecials, plain);
    this.suffixLength = start < 0 ? 0 : withSpecials.length - start - plain.length;
  }

  /** Token ids of `text` with the model's special tokens, at most maxTokens long. */
  encode(text: string): number[] {
    // Tokenizing a whole book to keep its first 256 tokens wastes time, so cut the text first. Whitespace
    // makes no tokens, so the cut widens until it yields enough; the margin keeps a word split by the cut
    // among the tokens that truncation drops anyway.
    let chars = this.maxTokens * 8;
    let ids = this.tokenizer.encode(text.slice(0, chars)).ids;
    while (chars < text.length && ids.length < this.maxTokens + cutMargin) {
      chars *= 4;
      ids = this.tokenizer.encode(text.slice(0, chars)).ids;
    }
    if (ids.length <= this.maxTokens) return ids;
    const head = ids.slice(0, this.maxTokens - this.suffixLength);
    return this.suffixLength > 0 ? head.concat(ids.slice(ids.length - this.suffixLength)) : head;
  }
}

const cutMargin = 32;

function indexOfRun(haystack: number[], needle: number[]): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
