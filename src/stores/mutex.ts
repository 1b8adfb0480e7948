/** Runs async sections one at a time, in call order. */
export interface Mutex {
  /** Runs `fn` once every section queued before it has settled; its result or rejection passes through. */
  run<T>(fn: () => Promise<T>): Promise<T>;
}

/** A mutex for sections that await: JavaScript's single thread does not stop another section starting meanwhile. */
export function createMutex(): Mutex {
  let locked = false;
  const waiting: (() => void)[] = [];
  return {
    async run<T>(fn: () => Promise<T>): Promise<T> {
      // An idle mutex starts the section at once instead of a microtask later: the hot path is uncontended.
      if (locked) await new Promise<void>((resolve) => waiting.push(resolve));
      else locked = true;
      try {
        return await fn();
      } finally {
        // Hand the lock straight to the next section, so nothing can slip in between.
        const next = waiting.shift();
        if (next === undefined) locked = false;
        else next();
      }
    },
  };
}
