import type { TextGenerator } from '../../contract/answer.js';

const judgeSchema = {
  type: 'object',
  properties: { supported: { type: 'boolean' } },
  required: ['supported'],
  additionalProperties: false,
};

const instructions =
  'You check a support reply against its source. Say whether the SOURCE states the STATEMENT or it follows ' +
  'directly from it. A changed number, amount, duration, name, or a flipped "not" makes it unsupported; so ' +
  'does anything the source does not say. Reply with JSON {"supported": true} or {"supported": false}.';

/**
 * Asks the LLM whether `sentence` follows from `source`. Null when the model is slow, fails, or answers
 * anything but the schema: the caller then keeps its own signals, so a broken judge never decides alone.
 */
export async function askJudge(
  judge: TextGenerator,
  source: string,
  sentence: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<boolean | null> {
  const result = await judge.generate({
    messages: [
      { role: 'system', content: instructions },
      { role: 'user', content: `SOURCE:\n${source}\n\nSTATEMENT: ${sentence}` },
    ],
    maxTokens: 16,
    temperature: 0,
    jsonSchema: judgeSchema,
    timeoutMs,
    ...(signal ? { signal } : {}),
  });
  if (result.finish !== 'stop' && result.finish !== 'length') return null;
  try {
    const parsed: unknown = JSON.parse(result.text.trim());
    if (
      parsed &&
      typeof parsed === 'object' &&
      'supported' in parsed &&
      typeof parsed.supported === 'boolean'
    )
      return parsed.supported;
  } catch {
    // A reply off the schema is no verdict.
  }
  return null;
}
