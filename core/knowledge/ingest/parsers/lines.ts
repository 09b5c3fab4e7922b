/** One line of a text stream; `text` is null when the line was longer than allowed and was dropped. */
export interface Line {
  /** 1-based, counting every line including blank and dropped ones, so it matches an editor's numbering. */
  number: number;
  text: string | null;
}

/**
 * Splits a stream of decoded text into lines, holding at most `maxChars` of one line in memory: a runaway line
 * (a multi-gigabyte record, a file with no newlines) is skipped and reported, not buffered. readline would buffer
 * it whole, which is why this small splitter exists. "\r\n" and "\n" both end a line.
 */
export async function* splitLines(chunks: AsyncIterable<string>, maxChars: number): AsyncGenerator<Line> {
  let pending = '';
  let overflow = false;
  let number = 0;
  for await (const chunk of chunks) {
    let start = 0;
    for (let newline = chunk.indexOf('\n'); newline !== -1; newline = chunk.indexOf('\n', start)) {
      const piece = chunk.slice(start, newline);
      start = newline + 1;
      number++;
      if (overflow || pending.length + piece.length > maxChars) yield { number, text: null };
      else yield { number, text: (pending + piece).replace(/\r$/, '') };
      pending = '';
      overflow = false;
    }
    if (overflow) continue;
    pending += chunk.slice(start);
    if (pending.length > maxChars) {
      pending = '';
      overflow = true;
    }
  }
  if (overflow) yield { number: number + 1, text: null };
  else if (pending) yield { number: number + 1, text: pending.replace(/\r$/, '') };
}
