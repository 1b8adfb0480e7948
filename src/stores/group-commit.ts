// Group commit: writes that arrive while the database is busy with a transaction wait, and the
// next transaction runs all of them (up to a bound) before one commit, so concurrent callers pay
// for one commit between them instead of one each. Each call still resolves only after that
// commit, and keeps its own all-or-nothing: when one call throws, the batch rolls back, that call
// gets its error, and the others run again without it. So a call's `fn` may run more than once,
// and must have no effect outside its transaction before it returns (the Store contract says so).

/** What one database transaction over a batch of calls came to. */
export type BatchOutcome =
  /** Every call ran and the transaction committed: their results, in call order. */
  | { readonly committed: readonly unknown[] }
  /** Call `failed` threw `error`, and the transaction was rolled back. */
  | { readonly failed: number; readonly error: unknown };

/**
 * Runs the calls' bodies in order in one database transaction that locks `keys` (every call's,
 * possibly repeated), and commits unless one throws. Rejects when the transaction itself could not be
 * begun or committed: every call of the batch gets that error.
 */
export type RunBatch<Tx> = (
  keys: readonly string[],
  bodies: readonly ((tx: Tx) => Promise<unknown>)[],
) => Promise<BatchOutcome>;

interface Call<Tx> {
  readonly keys: readonly string[];
  readonly fn: (tx: Tx) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

export class GroupCommit<Tx> {
  readonly #run: RunBatch<Tx>;
  /** Database transactions that may be open at once (SQLite 1; PostgreSQL, a share of its pool). */
  readonly #concurrency: number;
  /** The most calls one transaction runs, so no batch holds its locks for long. */
  readonly #maxBatch: number;
  readonly #waiting: Call<Tx>[] = [];
  #running = 0;

  constructor(run: RunBatch<Tx>, options: { concurrency: number; maxBatch: number }) {
    this.#run = run;
    this.#concurrency = options.concurrency;
    this.#maxBatch = options.maxBatch;
  }

  /** Runs `fn` in the next transaction with room; resolves with its result once that transaction commits. */
  submit<T>(keys: readonly string[], fn: (tx: Tx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push({ keys, fn, resolve: resolve as (value: unknown) => void, reject });
      this.#pump();
    });
  }

  /** Starts batches while there is room; an idle one starts the call at once, in this tick. */
  #pump(): void {
    while (this.#running < this.#concurrency && this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0, this.#maxBatch);
      this.#running++;
      void this.#execute(batch);
    }
  }

  /** Runs one batch and settles its calls; never rejects. Then makes room for the next. */
  async #execute(batch: Call<Tx>[]): Promise<void> {
    try {
      const outcome = await this.#run(
        batch.length === 1 ? (batch[0] as Call<Tx>).keys : batch.flatMap((c) => c.keys),
        batch.map((c) => c.fn),
      );
      if ('committed' in outcome) {
        for (let i = 0; i < batch.length; i++) (batch[i] as Call<Tx>).resolve(outcome.committed[i]);
      } else {
        const { failed, error } = outcome;
        batch[failed]?.reject(error);
        // The others were rolled back (or never ran): first in line for the next transaction.
        this.#waiting.unshift(...batch.slice(0, failed), ...batch.slice(failed + 1));
      }
    } catch (error) {
      for (const call of batch) call.reject(error);
    } finally {
      this.#running--;
      this.#pump();
    }
  }
}
