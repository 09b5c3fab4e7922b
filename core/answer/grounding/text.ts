/**
 * Word-level helpers shared by the grounding checks and the confidence score: tokens, a stop-word list and a
 * light suffix stemmer. Deliberately small and language-light: the checker must run in a few milliseconds per
 * reply on two cores, and an aggressive stemmer would merge words whose difference is the fact being checked.
 */

const stopWords = new Set(
  (
    'a an the and or but if then else when while of to in on at by for with from into onto about as is are was were ' +
    'be been being am do does did doing have has had having it its this that these those there here they them ' +
    'their theirs he she him her his hers we us our ours you your yours i me my mine so than too very just also ' +
    'can could will would shall should may might must which who whom whose what where why how all any each both ' +
    'some such own same other another only more most over under again further once up down out off s t ' +
    'let lets please ok okay yes sure well get got go going make made use using used one'
  ).split(' '),
);

/** Words that reverse a statement. "no" and "not" count; "none"/"nothing" do too. */
export const negationWords = new Set([
  'not',
  'no',
  'never',
  'cannot',
  'cant',
  'dont',
  'doesnt',
  'didnt',
  'wont',
  'isnt',
  'arent',
  'wasnt',
  'werent',
  'shouldnt',
  'couldnt',
  'wouldnt',
  'mustnt',
  'hasnt',
  'havent',
  'hadnt',
  'none',
  'nothing',
  'neither',
  'nor',
  'without',
  'unable',
]);

/** Lower-cased word tokens; apostrophes are dropped so "can't" becomes "cant" and matches the negation list. */
export function words(text: string): string[] {
  return (
    text
      .toLowerCase()
      .replace(/[’']/g, '')
      .match(/[\p{L}\p{N}]+(?:[.,]\d+)*/gu) ?? []
  );
}

export function isStopWord(word: string): boolean {
  return stopWords.has(word);
}

/**
 * A light stemmer: plural, past and gerund endings only ("refunds", "refunded", "refunding" → "refund"). It
 * keeps numbers as written so "14" never meets "140".
 */
export function stem(word: string): string {
  if (/\d/.test(word) || word.length <= 3) return word;
  let w = word;
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('es') && /(?:ch|sh|x|z|ss)es$/.test(w)) w = w.slice(0, -2);
  else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) w = w.slice(0, -1);
  if (w.endsWith('ing') && w.length > 5) w = w.slice(0, -3);
  else if (w.endsWith('ed') && w.length > 4) w = w.slice(0, -2);
  else if (w.endsWith('ly') && w.length > 5) w = w.slice(0, -2);
  // "stopped" → "stopp" → "stop"; "charged" → "charg" and "charge" → "charg" meet below.
  if (/([^aeiou])\1$/.test(w) && !/(?:ll|ss|zz)$/.test(w)) w = w.slice(0, -1);
  if (w.endsWith('e') && w.length > 4) w = w.slice(0, -1);
  return w;
}

/** Stems of the words that carry content (no stop words, no negations: those are checked as facts). */
export function contentStems(text: string): string[] {
  return words(text)
    .filter((w) => !stopWords.has(w) && !negationWords.has(w))
    .map(stem);
}
