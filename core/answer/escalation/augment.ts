/**
 * Programmatic variants of the authored examples so the classifier has seen the ways visitors actually type:
 * typos (swapped, dropped, doubled or replaced letters), all lower case, no punctuation, two words run
 * together, and a greeting or "please" around the message. Seeded, so training is reproducible.
 */

export { seededRandom } from '../../seeded-random.js';

const keyboardNeighbours: Record<string, string> = {
  a: 'sqz',
  b: 'vn',
  c: 'xv',
  d: 'sf',
  e: 'wr',
  f: 'dg',
  g: 'fh',
  h: 'gj',
  i: 'uo',
  j: 'hk',
  k: 'jl',
  l: 'k',
  m: 'n',
  n: 'bm',
  o: 'ip',
  p: 'o',
  q: 'wa',
  r: 'et',
  s: 'ad',
  t: 'ry',
  u: 'yi',
  v: 'cb',
  w: 'qe',
  x: 'zc',
  y: 'tu',
  z: 'xa',
};

function pick<T>(items: readonly T[], random: () => number): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** One typo in one word of 4+ letters; the text unchanged when it has none. */
export function addTypo(text: string, random: () => number): string {
  const words = text.split(' ');
  const candidates = words.map((w, i) => (/^[a-z]{4,}$/i.test(w) ? i : -1)).filter((i) => i >= 0);
  if (candidates.length === 0) return text;
  const at = pick(candidates, random);
  const word = words[at] ?? '';
  const i = 1 + Math.floor(random() * (word.length - 2));
  const ch = word[i] ?? '';
  let typo: string;
  switch (Math.floor(random() * 4)) {
    case 0:
      typo = word.slice(0, i) + (word[i + 1] ?? '') + ch + word.slice(i + 2);
      break;
    case 1:
      typo = word.slice(0, i) + word.slice(i + 1);
      break;
    case 2:
      typo = word.slice(0, i) + ch + word.slice(i);
      break;
    default: {
      const near = keyboardNeighbours[ch.toLowerCase()];
      typo = near ? word.slice(0, i) + pick([...near], random) + word.slice(i + 1) : word;
    }
  }
  words[at] = typo;
  return words.join(' ');
}

const intensifiers = ['damn', 'bloody', 'freaking', 'fucking', 'stupid'];

/** A swear word or intensifier before one word: visitors swear in every class, so it must not be a cue. */
export function addIntensifier(text: string, random: () => number): string {
  const words = text.split(' ');
  if (words.length < 3) return text;
  const at = 1 + Math.floor(random() * (words.length - 1));
  words.splice(at, 0, pick(intensifiers, random));
  return words.join(' ');
}

const openers = ['hi ', 'hello, ', 'hey ', 'excuse me, ', 'good afternoon. ', 'sorry, '];
const closers = [' please', ' pls', '?', '.'];

/** Variants of one example: the example itself first, then `count` distorted copies. */
export function augment(text: string, count: number, random: () => number): string[] {
  const out = [text];
  for (let k = 0; k < count; k++) {
    let t = text;
    const kind = k % 6;
    if (kind === 0) t = addTypo(t.toLowerCase(), random);
    else if (kind === 1) t = t.replace(/[^\p{L}\p{N}\s]/gu, '').toLowerCase();
    else if (kind === 2) {
      const words = t.split(' ');
      if (words.length >= 2) {
        const i = Math.floor(random() * (words.length - 1));
        words.splice(i, 2, (words[i] ?? '') + (words[i + 1] ?? ''));
      }
      t = words.join(' ');
    } else if (kind === 3) t = pick(openers, random) + t.charAt(0).toLowerCase() + t.slice(1);
    else if (kind === 4) t = addTypo(addTypo(t, random), random) + pick(closers, random);
    else t = addIntensifier(t, random);
    out.push(t);
  }
  return out;
}
