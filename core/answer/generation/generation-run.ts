import type { FinishReason, GenerateResult } from '../../contract/answer.js';

export type StopReason = 'aborted' | 'timeout';

/**
 * The bookkeeping of one generation, shared by every generator: the text and token count so far, the time to
 * the first token, and one signal that fires when the caller aborts or a time limit expires, remembering which
 * of the two it was so the result can say 'aborted' or 'timeout'.
 */
export class GenerationRun {
  text = '';
  tokens = 0;
  firstTokenMs: number | null = null;
  private readonly started = performance.now();
  private readonly controller = new AbortController();
  private reason: StopReason | null = null;
  private detail: string | undefined;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly onCallerAbort = () => this.stop('aborted');

  constructor(
    private readonly callerSignal: AbortSignal | undefined,
    timeoutMs: number | undefined,
    private readonly onToken: ((text: string) => void) | undefined,
  ) {
    if (callerSignal?.aborted) this.stop('aborted');
    else callerSignal?.addEventListener('abort', this.onCallerAbort, { once: true });
    if (timeoutMs !== undefined && !this.reason)
      this.timer = setTimeout(
        () => this.stop('timeout', `no complete answer within ${timeoutMs} ms`),
        timeoutMs,
      );
  }

  /** Fires once the run must stop: the caller aborted or a limit expired. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why the run was stopped, or null while it may go on. */
  get stopped(): StopReason | null {
    return this.reason;
  }

  /** Stops the run; the first reason wins. */
  stop(reason: StopReason, detail?: string): void {
    if (this.reason) return;
    this.reason = reason;
    this.detail = detail;
    this.controller.abort(new Error(detail ?? reason));
  }

  /** Records a piece of produced text (`tokens` of it) and passes it to the caller's onToken. */
  push(text: string, tokens = 1): void {
    if (text === '' && tokens === 0) return;
    if (this.firstTokenMs === null) this.firstTokenMs = Math.round(performance.now() - this.started);
    this.text += text;
    this.tokens += tokens;
    if (text !== '') this.onToken?.(text);
  }

  /** The result; a stop recorded earlier overrides `finish` (the text is what came before it). */
  result(finish: FinishReason, error?: string): GenerateResult {
    clearTimeout(this.timer);
    this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
    const final = this.reason ?? finish;
    const result: GenerateResult = {
      text: this.text,
      finish: final,
      tokens: this.tokens,
      firstTokenMs: this.firstTokenMs,
      totalMs: Math.round(performance.now() - this.started),
    };
    const why = this.reason === 'timeout' ? this.detail : this.reason ? undefined : error;
    if (why !== undefined) result.error = why;
    return result;
  }
}

/** Runs jobs one after another: a loaded model evaluates one sequence at a time. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(job, job);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves when every job queued so far has ended. */
  async drain(): Promise<void> {
    await this.tail;
  }
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
