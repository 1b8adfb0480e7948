/**
 * Serialises async tasks per key: a task starts once every earlier task holding any of its keys
 * has finished. Keys are claimed synchronously at call time, so waits always point at earlier
 * calls and can never form a cycle.
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(keys: readonly string[], task: () => Promise<T>): Promise<T> {
    // A write names one customer far more often than several: skip the set then.
    const unique = keys.length === 1 ? keys : [...new Set(keys)];
    const earlier: Promise<void>[] = [];
    for (const k of unique) {
      const tail = this.#tails.get(k);
      if (tail !== undefined) earlier.push(tail);
    }
    let release = () => {};
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    for (const k of unique) this.#tails.set(k, done);
    try {
      // An uncontended task starts without waiting a tick.
      if (earlier.length > 0) await Promise.all(earlier);
      return await task();
    } finally {
      release();
      for (const k of unique) if (this.#tails.get(k) === done) this.#tails.delete(k);
    }
  }
}
