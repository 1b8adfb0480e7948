// Group commit: writes that arrive while the database is busy with a transaction wait, and the
// next transaction runs all of them (up to a bound) before one commit, so concurrent callers pay
// for one commit between them instead of one each. Each call still resolves only after that
// commit, and keeps its own all-or-nothing: when one call throws, the batch rolls back, that call
// gets its error, and the others run again without it; when a statement carrying several calls'
// writes fails, none can be blamed, and each runs again alone. So a call's `fn` may run more than
// once, and must have no effect outside its transaction before it returns (the Store contract says so).

/** What one database transaction over a batch of calls came to. */
export type BatchOutcome =
  /** Every call ran and the transaction committed: their results, in call order. */
  | { readonly committed: readonly unknown[] }
  /** Call `failed` threw `error`, and the transaction was rolled back. */
  | { readonly failed: number; readonly error: unknown }
  /**
   * A statement carrying the writes of the calls `unsure` (several) failed, so no one of them can
   * be blamed: the transaction was rolled back, and each of them runs again in a transaction of
   * its own, where its error is its own.
   */
  | { readonly unsure: readonly number[] };

/**
 * Runs the calls' bodies in order in one database transaction that locks `keys` (every call's,
 * possibly repeated), and commits unless one throws. Rejects when the transaction itself could not be
 * begun or committed: every call of the batch gets that error.
 */
export type RunBatch<Tx> = (
  keys: readonly string[],
  bodies: readonly ((tx: Tx) => Promise<unknown>)[],
) => Promise<BatchOutcome>;

/** How many transactions run at once, and how many calls each carries. */
export interface GroupCommitOptions {
  /** Database transactions that may be open at once (SQLite 1; PostgreSQL, a share of its pool). */
  readonly concurrency: number;
  /** The most calls one transaction runs, so no batch holds its locks for long. */
  readonly maxBatch: number;
  /**
   * While a transaction runs, another starts only once this many calls wait (default 1: at once),
   * and calls submitted in the same tick are gathered first. Under load, transactions are then
   * few and full, each costing its round trips once for all its calls; an idle store still starts
   * a lone call at once.
   */
  readonly minBatch?: number;
}

interface Call<Tx> {
  readonly keys: readonly string[];
  readonly fn: (tx: Tx) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  /** Runs in a transaction of its own: it shared a failed statement with others (see `unsure`). */
  alone?: boolean;
}

export class GroupCommit<Tx> {
  readonly #run: RunBatch<Tx>;
  readonly #concurrency: number;
  readonly #maxBatch: number;
  readonly #minBatch: number;
  readonly #waiting: Call<Tx>[] = [];
  #running = 0;
  /** A pump is due at the end of this tick (gathering is on). */
  #due = false;
  readonly #pumpNow = () => {
    this.#due = false;
    this.#pump();
  };

  constructor(run: RunBatch<Tx>, options: GroupCommitOptions) {
    this.#run = run;
    this.#concurrency = options.concurrency;
    this.#maxBatch = options.maxBatch;
    this.#minBatch = options.minBatch ?? 1;
  }

  /** Runs `fn` in the next transaction with room; resolves with its result once that transaction commits. */
  submit<T>(keys: readonly string[], fn: (tx: Tx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push({ keys, fn, resolve: resolve as (value: unknown) => void, reject });
      if (this.#minBatch === 1) this.#pump();
      else if (!this.#due) {
        // Callers resumed by one commit submit again in the same tick: one transaction for them all.
        this.#due = true;
        queueMicrotask(this.#pumpNow);
      }
    });
  }

  /** Starts batches while there is room, and while none runs or enough calls wait to fill one. */
  #pump(): void {
    while (
      this.#running < this.#concurrency &&
      this.#waiting.length > 0 &&
      (this.#running === 0 || this.#waiting.length >= this.#minBatch)
    ) {
      const batch = this.#waiting.splice(0, this.#take());
      this.#running++;
      void this.#execute(batch);
    }
  }

  /** How many calls from the head of the line the next batch takes: a call that must run alone goes alone. */
  #take(): number {
    const limit = Math.min(this.#maxBatch, this.#waiting.length);
    let n = 0;
    while (n < limit && !this.#waiting[n]?.alone) n++;
    return Math.max(n, 1);
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
      } else if ('unsure' in outcome) {
        for (const i of outcome.unsure) (batch[i] as Call<Tx>).alone = true;
        // All were rolled back: first in line for the next transactions, those now alone each in its own.
        this.#waiting.unshift(...batch);
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
