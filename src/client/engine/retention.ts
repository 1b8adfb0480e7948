// `usageHistoryRetentionMs`: history older than the retention is pruned about once an hour of
// clock time, after a write and off its caller's path.
import { AllotError } from '../../errors.js';
import type { Store } from '../../stores/store.js';

const HOUR_MS = 3_600_000;

export class Retention {
  readonly #store: Store;
  readonly #retentionMs: number | undefined;
  /** When history was last pruned, by the engine's clock. */
  #prunedAt = Number.NEGATIVE_INFINITY;

  constructor(store: Store, retentionMs: number | undefined) {
    this.#store = store;
    this.#retentionMs = retentionMs;
  }

  pruneWhenDue(now: number): void {
    const retention = this.#retentionMs;
    if (retention === undefined || now - this.#prunedAt < HOUR_MS) return;
    this.#prunedAt = now;
    this.#store
      // History before the retention is read by no write, so pruning locks no key.
      .transaction([], (tx) => tx.pruneUsageHistory(now - retention))
      .catch((error: unknown) => {
        if (!(AllotError.is(error) && error.code === 'CLOSED'))
          console.error('[allot] pruning usage history failed; it is retried after the next write', error);
        this.#prunedAt = Number.NEGATIVE_INFINITY;
      });
  }
}
