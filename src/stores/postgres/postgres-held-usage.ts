// Write-behind of usage within one write transaction. A batch of group-committed calls would
// otherwise send one usage statement per call, each a round trip on the one connection; held back
// instead, every call's entries go as one statement (its arrays take any number of rows). They are
// written before any other statement of the transaction runs, and before COMMIT, so statement order,
// and what every read sees, stay as if each call had written at once. The price: a failed write
// of several calls' entries blames none of them, so they run again, each in a transaction of its own.
import type { CompiledQuery } from 'kysely';
import type { BatchOutcome } from '../group-commit.js';
import type { UsageEntry } from '../store.js';
import type { PgConnection, PgQueryResult, PgStatements, PreparedStatement } from './postgres-driver.js';

/** A write's statements on its connection, with `appendUsage`'s entries held back until the next one. */
export class HeldUsage implements PgStatements {
  readonly #connection: PgConnection;
  readonly #write: (entries: readonly UsageEntry[]) => Promise<void>;
  /** The call (body of the batch) running now: `hold` takes its entries. */
  call = 0;
  #entries: UsageEntry[] = [];
  /** The calls whose entries are held, ascending. */
  #calls: number[] = [];
  /** The write of held entries under way, or the one that failed (every later statement waits for it). */
  #flushing: Promise<void> | undefined;
  /** The calls whose entries a failed write carried, and its error. */
  #failure: { readonly calls: readonly number[]; readonly error: unknown } | undefined;

  /** `write` logs and folds entries on `connection` (`appendUsage`). */
  constructor(connection: PgConnection, write: (entries: readonly UsageEntry[]) => Promise<void>) {
    this.#connection = connection;
    this.#write = write;
  }

  /** Holds the current call's entries back, for the next statement or the commit to write first. */
  hold(entries: readonly UsageEntry[]): void {
    for (const e of entries) this.#entries.push(e);
    if (this.#calls.at(-1) !== this.call) this.#calls.push(this.call);
  }

  /** Writes the held entries, as one statement (of up to 4,000); the commit waits for it. */
  flush(): Promise<void> {
    if (this.#entries.length > 0) {
      const entries = this.#entries;
      const calls = this.#calls;
      this.#entries = [];
      this.#calls = [];
      const write = () =>
        this.#write(entries).catch((error: unknown) => {
          this.#failure ??= { calls, error };
          throw error;
        });
      const flushing = this.#flushing === undefined ? write() : this.#flushing.then(write);
      this.#flushing = flushing;
      // A failed write stays in place: what follows it in the aborted transaction fails with its error.
      flushing.then(
        () => {
          if (this.#flushing === flushing) this.#flushing = undefined;
        },
        () => undefined,
      );
    }
    return this.#flushing ?? Promise.resolve();
  }

  /**
   * What the batch comes to once call `call` threw `error`: when a write of held entries failed
   * first, that is the cause, blamed on its one call, or on none when it carried several.
   */
  outcome(call: number, error: unknown): BatchOutcome {
    const failure = this.#failure;
    if (failure === undefined) return { failed: call, error };
    const [guilty, ...others] = failure.calls as [number, ...number[]];
    if (others.length > 0) return { unsure: failure.calls };
    // The call's own error may say more (which of its items); another's is the write's.
    return { failed: guilty, error: guilty === call ? error : failure.error };
  }

  query(operation: string, text: string, values?: readonly unknown[], timeoutMs?: number): Promise<PgQueryResult> {
    return this.#then(() => this.#connection.query(operation, text, values, timeoutMs));
  }

  script(operation: string, text: string, values?: readonly unknown[], timeoutMs?: number): Promise<PgQueryResult[]> {
    return this.#then(() => this.#connection.script(operation, text, values, timeoutMs));
  }

  prepared(operation: string, statement: PreparedStatement, values: readonly unknown[]): Promise<PgQueryResult> {
    return this.#then(() => this.#connection.prepared(operation, statement, values));
  }

  run<R>(operation: string, compiled: CompiledQuery<R>): Promise<R[]> {
    return this.#then(() => this.#connection.run(operation, compiled));
  }

  /** Sends a statement once the held entries are written; at once when none are. */
  #then<T>(send: () => Promise<T>): Promise<T> {
    const flushing = this.#entries.length > 0 ? this.flush() : this.#flushing;
    return flushing === undefined ? send() : flushing.then(send);
  }
}
