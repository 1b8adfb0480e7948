// Progress of long operations (catalog migration over every customer, pruning history, and the
// CLI's export and import): what a caller's progress bar reads.
import type { AllotLogger } from './logger.js';

/** How far a long operation has come: `done` of `total` units (subscriptions, rows), `total` when known. */
export interface Progress {
  readonly operation: 'migrate' | 'prune' | 'export' | 'import';
  readonly done: number;
  readonly total?: number;
}

/** Called as an operation advances: `done` never decreases, and the last call has `done === total`. */
export type ProgressListener = (progress: Progress) => void;

/**
 * Reports one operation's progress to an optional listener: only forward steps, and a last report
 * at the end whose `done` equals its `total`. A throwing listener is logged, never allowed to fail
 * the operation, which may already have committed.
 */
export class ProgressReporter {
  readonly #operation: Progress['operation'];
  readonly #listener: ProgressListener | undefined;
  readonly #log: AllotLogger;
  #total: number | undefined;
  #done = -1;

  constructor(
    operation: Progress['operation'],
    listener: ProgressListener | undefined,
    log: AllotLogger,
    total?: number,
  ) {
    this.#operation = operation;
    this.#listener = listener;
    this.#log = log;
    this.#total = total;
  }

  /** Whether anyone listens: lets callers skip counting what nobody reads. */
  get listening(): boolean {
    return this.#listener !== undefined;
  }

  /** Reports `done` when it moved forward; a `total` passed is raised to it rather than shown below it. */
  report(done: number): void {
    if (done <= this.#done) return;
    this.#done = done;
    if (this.#total !== undefined && done > this.#total) this.#total = done;
    this.#emit(done, this.#total);
  }

  /** The last report, `done` units in all, which is the total; unless the previous report said just that. */
  finish(done: number): void {
    const last = Math.max(done, this.#done, 0);
    if (last === this.#done && last === this.#total) return;
    this.#done = last;
    this.#total = last;
    this.#emit(last, last);
  }

  #emit(done: number, total: number | undefined): void {
    const listener = this.#listener;
    if (listener === undefined) return;
    try {
      listener(
        total === undefined ? { operation: this.#operation, done } : { operation: this.#operation, done, total },
      );
    } catch (error) {
      this.#log.error(`an onProgress listener threw during ${this.#operation}`, error);
    }
  }
}
