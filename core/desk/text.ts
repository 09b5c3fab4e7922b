/** Longest visitor message accepted (characters). */
export const maxMessageChars = 4000;

// C0 controls except \t (09) and \n (0A), DEL, C1 controls, and the bidi overrides/isolates used to disguise text.
// eslint-disable-next-line no-control-regex
const unwanted = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;

/**
 * A visitor's text as stored: \r\n and \r become \n, other control characters are removed, the rest is kept as
 * is. Markup such as `<script>` is not an instruction here: it is stored and returned as plain text, and every
 * client renders it as text.
 */
export function cleanMessageText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(unwanted, '').trim();
}
