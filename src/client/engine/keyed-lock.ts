/**
 * Serialises async tasks per key: a task starts once every earlier task holding any of its keys
 * has finished. Keys are claimed synchronously at call time, so waits always point at earlier
 * calls and can never form a cycle.
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(keys: Iterable<string>, task: () => Promise<T>): Promise<T> {
    const unique = [...new Set(keys)];
    const earlier = unique.map((k) => this.#tails.get(k));
    let release = () => {};
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    for (const k of unique) this.#tails.set(k, done);
    try {
      await Promise.all(earlier);
      return await task();
    } finally {
      release();
      for (const k of unique) if (this.#tails.get(k) === done) this.#tails.delete(k);
    }
  }
}
