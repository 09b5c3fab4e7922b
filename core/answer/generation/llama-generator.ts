import os from 'node:os';
import path from 'node:path';
import type {
  ChatHistoryItem,
  ChatWrapper,
  LlamaChat,
  LlamaContext,
  LlamaGrammar,
  LlamaModel,
} from 'node-llama-cpp';
import type {
  ChatTurn,
  FinishReason,
  GenerateRequest,
  GenerateResult,
  TextGenerator,
} from '../../contract/answer.js';
import { AppError } from '../../contract/errors.js';
import { checkGgufFile, unloadableModel } from './gguf-file.js';
import { errorText, GenerationRun, SerialQueue } from './generation-run.js';

export interface LlamaGeneratorOptions {
  /** The .gguf file. */
  modelPath: string;
  /**
   * llama.cpp threads. Default: the machine's cores, at most 4. For a real model more threads win: Gemma 3
   * 270M on 2 cores had its first token after 1.6 s with 2 threads and 3.0 s with 1 (BENCHMARKS.md). Only for
   * toy models does a second thread cost more than it gives (DEPENDENCIES.md), so tests pass 1.
   */
  threads?: number;
  /** Context window in tokens; default 4096, never more than the model was trained on. */
  contextTokens?: number;
  /** Shown in the id (`llama:<name>`); default the model folder's name, or the file name without .gguf. */
  name?: string;
}

/** A llama.cpp generator, with the chat format it chose (the GGUF's template or the plain fallback). */
export interface LlamaGenerator extends TextGenerator {
  readonly kind: 'llama';
  /** node-llama-cpp's chat wrapper name, e.g. "JinjaTemplate", "ChatML" or "General" (no template in the GGUF). */
  readonly chatFormat: string;
}

const defaultContextTokens = 4096;

/**
 * Loads a GGUF model with node-llama-cpp (CPU only, never building or downloading llama.cpp) and returns a
 * generator that runs one generation at a time. A missing, non-GGUF or truncated file throws an AppError that
 * names the file and says what to do.
 */
export async function loadLlamaGenerator(options: LlamaGeneratorOptions): Promise<LlamaGenerator> {
  const file = path.resolve(options.modelPath);
  await checkGgufFile(file);
  const { getLlama, LlamaLogLevel, LlamaChat, GeneralChatWrapper, resolveChatWrapper } =
    await import('node-llama-cpp');
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
  let model: LlamaModel;
  try {
    model = await llama.loadModel({ modelPath: file });
  } catch (error) {
    throw unloadableModel(file, error);
  }
  try {
    const context = await model.createContext({
      contextSize: Math.min(options.contextTokens ?? defaultContextTokens, model.trainContextSize),
      threads: options.threads ?? Math.min(4, os.availableParallelism()),
      sequences: 1,
    });
    const template = model.fileInfo.metadata.tokenizer?.chat_template;
    // Without a template, guessing a format from the file name or architecture often picks an instruct format
    // the weights never saw; a plain "### User / ### Assistant" transcript is something any model can continue.
    const chatWrapper: ChatWrapper =
      typeof template === 'string' && template.trim() !== ''
        ? resolveChatWrapper(model)
        : new GeneralChatWrapper();
    const chat = new LlamaChat({
      contextSequence: context.getSequence(),
      chatWrapper,
      autoDisposeSequence: true,
    });
    const name = options.name ?? defaultName(file);
    return new LlamaTextGenerator(`llama:${name}`, model, context, chat, chatWrapper.wrapperName, (schema) =>
      llama.createGrammarForJsonSchema(schema as never),
    );
  } catch (error) {
    await model.dispose();
    throw unloadableModel(file, error);
  }
}

function defaultName(file: string): string {
  const base = path.basename(file, '.gguf');
  return base === 'model' ? path.basename(path.dirname(file)) : base;
}

/** The chat turns as node-llama-cpp's history, ending with the model turn to be written. */
function toHistory(messages: ChatTurn[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map((turn): ChatHistoryItem => {
    if (turn.role === 'system') return { type: 'system', text: turn.content };
    if (turn.role === 'user') return { type: 'user', text: turn.content };
    return { type: 'model', response: [turn.content] };
  });
  // A trailing assistant turn is a prefix the model continues; otherwise it starts a new answer.
  if (messages[messages.length - 1]?.role !== 'assistant') history.push({ type: 'model', response: [] });
  return history;
}

class LlamaTextGenerator implements LlamaGenerator {
  readonly kind = 'llama' as const;
  readonly contextTokens: number;
  private readonly queue = new SerialQueue();
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();
  private closed = false;

  constructor(
    readonly id: string,
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly chat: LlamaChat,
    readonly chatFormat: string,
    private readonly makeGrammar: (schema: Record<string, unknown>) => Promise<LlamaGrammar>,
  ) {
    this.contextTokens = context.contextSize;
  }

  countTokens(text: string): number {
    return this.model.tokenize(text).length;
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    if (this.closed) throw new AppError('unavailable', `the generator ${this.id} is closed`);
    const grammar = request.jsonSchema ? await this.grammarFor(request.jsonSchema) : undefined;
    // The clock starts now: time spent waiting behind another generation counts toward timeoutMs.
    const run = new GenerationRun(request.signal, request.timeoutMs, request.onToken);
    return this.queue.run(() => this.evaluate(request, run, grammar));
  }

  private async evaluate(
    request: GenerateRequest,
    run: GenerationRun,
    grammar?: LlamaGrammar,
  ): Promise<GenerateResult> {
    if (run.stopped || this.closed) return run.result('aborted');
    try {
      const response = await this.chat.generateResponse(toHistory(request.messages), {
        maxTokens: request.maxTokens,
        temperature: request.temperature ?? 0,
        ...(grammar ? { grammar } : {}),
        signal: run.signal,
        // Keeps the text produced before an abort instead of throwing it away.
        stopOnAbortSignal: true,
        onTextChunk: (text) => run.push(text, 0),
        onToken: (tokens) => {
          run.tokens += tokens.length;
        },
      });
      const reason = response.metadata.stopReason;
      const finish: FinishReason =
        reason === 'maxTokens' ? 'length' : reason === 'abort' ? 'aborted' : 'stop';
      return run.result(finish);
    } catch (error) {
      // An abort before the first token throws; the run knows whether it was the caller or the clock.
      return run.result('error', errorText(error));
    }
  }

  private grammarFor(schema: Record<string, unknown>): Promise<LlamaGrammar> {
    const key = JSON.stringify(schema);
    let grammar = this.grammars.get(key);
    if (!grammar) {
      grammar = this.makeGrammar(schema).catch((error: unknown) => {
        this.grammars.delete(key);
        throw new AppError(
          'invalid_input',
          `the JSON schema cannot be turned into a grammar: ${errorText(error)}`,
        );
      });
      this.grammars.set(key, grammar);
    }
    return grammar;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.drain();
    this.chat.dispose();
    await this.context.dispose();
    await this.model.dispose();
  }
}
