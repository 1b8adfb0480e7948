import { createMutex } from '../mutex.js';
import type { Store, StoreCapabilities, StoreReader, StoreTransaction } from '../store.js';
import { notOpenError } from '../store-errors.js';
import { MemoryReader } from './memory-reader.js';
import { createTables, STORE_NAME, type Tables } from './memory-schema.js';
import { MemoryTransaction } from './memory-transaction.js';

/**
 * A store in process memory: fast and empty at every start, for tests, demos and single-process
 * apps that rebuild their state.
 *
 * @example
 * const store = memoryStore();
 * await store.open();
 */
export function memoryStore(): Store {
  return new MemoryStore();
}

class MemoryStore implements Store {
  readonly name = STORE_NAME;
  readonly capabilities: StoreCapabilities = { durable: false, sharedAcrossProcesses: false };
  readonly #tables = createTables();
  // Reads share the mutex with transactions: a read never sees a transaction's writes before it
  // commits or after it rolls back, and sees no commit land between its own awaits.
  readonly #mutex = createMutex();
  #state: 'new' | 'open' | 'closed' = 'new';

  async open(): Promise<void> {
    if (this.#state === 'closed') throw notOpenError(STORE_NAME, true);
    this.#state = 'open';
  }

  async close(): Promise<void> {
    this.#state = 'closed';
  }

  /** One writer at a time whatever the keys: serialising more than the keys ask is always allowed. */
  transaction<T>(_keys: readonly string[], fn: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    return this.#within<MemoryTransaction, T>((tables) => new MemoryTransaction(tables), fn);
  }

  read<T>(fn: (reader: StoreReader) => Promise<T>): Promise<T> {
    return this.#within((tables) => new MemoryReader(tables), fn);
  }

  #within<S extends MemoryReader, T>(start: (tables: Tables) => S, fn: (scope: S) => Promise<T>): Promise<T> {
    return this.#mutex.run(async () => {
      const scope = start(this.#openTables());
      try {
        const result = await fn(scope);
        scope.finish(true);
        return result;
      } catch (e) {
        scope.finish(false);
        throw e;
      }
    });
  }

  #openTables(): Tables {
    if (this.#state !== 'open') throw notOpenError(STORE_NAME, this.#state === 'closed');
    return this.#tables;
  }
}
