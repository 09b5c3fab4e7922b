/**
 * Document and visitor text goes into the prompt as data. These are the strings that could make data look like
 * structure: our own section tags and the chat-template control tokens of the common model families. They are
 * removed so no text can close the data section or open a new system turn; the words around them stay.
 */
const structural = [
  /<\/?\s*(?:knowledge|conversation|question|passage)\b[^>]*>/gi,
  /<\|[a-z_]{2,30}\|>/gi, // <|im_start|>, <|eot_id|>, <|start_header_id|> ...
  /<\/?(?:start_of_turn|end_of_turn|bos|eos|s)>/gi,
  /\[\/?INST\]|<<\/?SYS>>/g,
];

export function asData(text: string): string {
  let out = text;
  for (const pattern of structural) out = out.replace(pattern, ' ');
  return out
    .replace(/\r\n?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * Text that addresses the assistant rather than the customer ("ignore your previous instructions", "you are
 * now ..."). Not a security boundary on its own — the prompt already marks all such text as data — but the
 * extractive composer must never quote it as an answer and the console shows the agent where it was found.
 */
const injectionPatterns = [
  /\b(?:ignore|disregard|forget|override)\b[^.!?\n]{0,40}\b(?:instructions?|rules?|prompts?|guidelines?|directions?)\b/i,
  /\byou are now\b|\bact as (?:a|an|the)\b|\bnew (?:instructions?|rules?|role)\b/i,
  /\b(?:system|developer) (?:prompt|message|instructions?)\b/i,
  /\b(?:reveal|print|show|repeat)\b[^.!?\n]{0,30}\b(?:prompt|instructions?)\b/i,
];

export function looksLikeInjection(text: string): boolean {
  return injectionPatterns.some((p) => p.test(text));
}
