// `usageHistoryRetentionMs`: history older than the retention is pruned about once an hour of
// clock time, after a write and off its caller's path.
import { AllotError } from '../../errors.js';
import type { Store } from '../../stores/store.js';
import type { AllotLogger } from '../logger.js';

const HOUR_MS = 3_600_000;

export class Retention {
  readonly #store: Store;
  readonly #retentionMs: number | undefined;
  readonly #log: AllotLogger;
  /** When history was last pruned, by the engine's clock. */
  #prunedAt = Number.NEGATIVE_INFINITY;

  constructor(store: Store, retentionMs: number | undefined, log: AllotLogger) {
    this.#store = store;
    this.#retentionMs = retentionMs;
    this.#log = log;
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
          this.#log.error('pruning usage history failed; it is retried after the next write', error);
        this.#prunedAt = Number.NEGATIVE_INFINITY;
      });
  }
}
