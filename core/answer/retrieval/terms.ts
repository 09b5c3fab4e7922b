/**
 * Content words of a text, lightly stemmed, for comparing a question with retrieved text. Deliberately simple
 * (an English suffix stripper and a stop-word list): it only has to tell "these share the question's topic
 * words" from "they don't", and it must cost microseconds per passage.
 */
const stopWords = new Set(
  (
    'a an the and or but if then so of to in on at by for with from into onto about as is are was were be been being ' +
    'am do does did doing have has had having i me my mine we us our you your yours he him his she her it its they ' +
    'them their this that these those there here what which who whom whose when where why how can could would should ' +
    'will shall may might must not no nor only own same than too very just also any all each every some such more most ' +
    'other again once up down out over under off please hi hello hey thanks thank want need like get got know tell let ' +
    'im ive id dont cant wont isnt arent doesnt didnt one would'
  ).split(' '),
);

export function stem(word: string): string {
  let w = word;
  if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (w.length > 3 && w.endsWith('es') && /(?:ss|sh|ch|x|z)es$/.test(w)) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith('ed')) w = w.slice(0, -2);
  if (w.length > 4 && w.endsWith('e')) w = w.slice(0, -1);
  return w;
}

/** Lower-case words (letters, digits, inner apostrophes dropped) in order, stop words kept. */
export function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/['’]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

export function isStopWord(word: string): boolean {
  return stopWords.has(word);
}

/** The distinct stemmed content words of a text. */
export function contentTerms(text: string): Set<string> {
  const out = new Set<string>();
  for (const w of words(text)) {
    if (w.length < 2 || stopWords.has(w)) continue;
    out.add(stem(w));
  }
  return out;
}

/** Share of the question's content terms found in the text, 0..1 (0 when the question has none). */
export function termCoverage(questionTerms: Set<string>, text: string): number {
  if (questionTerms.size === 0) return 0;
  const have = contentTerms(text);
  let hit = 0;
  for (const t of questionTerms) if (have.has(t)) hit += 1;
  return hit / questionTerms.size;
}
