/**
 * Serialises async work per key: a holder proceeds once every earlier holder of any of its keys
 * has released them. Keys are claimed synchronously at `acquire`, so waits always point at
 * earlier holders and can never form a cycle.
 */
export class KeyedLock {
  readonly #tails = new Map<string, Hold>();

  /** Claims `keys` now; the holder proceeds once `hold.ready` settles, and must `release` after. */
  acquire(keys: readonly string[]): Hold {
    // A write names one customer far more often than several: skip the set then.
    const unique = keys.length === 1 ? keys : [...new Set(keys)];
    const earlier: Promise<void>[] = [];
    for (const k of unique) {
      const tail = this.#tails.get(k);
      if (tail !== undefined) earlier.push(tail.released());
    }
    const ready = earlier.length === 0 ? undefined : earlier.length === 1 ? earlier[0] : Promise.all(earlier);
    const hold = new Hold(this.#tails, unique, ready);
    for (const k of unique) this.#tails.set(k, hold);
    return hold;
  }
}

/** One holder's claim on its keys. */
export class Hold {
  readonly #tails: Map<string, Hold>;
  readonly #keys: readonly string[];
  /** Made only when a later holder waits for this one: most never do. */
  #released: Promise<void> | undefined;
  #resolve: (() => void) | undefined;

  constructor(
    tails: Map<string, Hold>,
    keys: readonly string[],
    /** Settles when the earlier holders have released; undefined when there were none, so an uncontended holder waits no tick. */
    readonly ready: Promise<unknown> | undefined,
  ) {
    this.#tails = tails;
    this.#keys = keys;
  }

  /** Settles once this holder has released. */
  released(): Promise<void> {
    this.#released ??= new Promise<void>((resolve) => {
      this.#resolve = resolve;
    });
    return this.#released;
  }

  release(): void {
    this.#resolve?.();
    for (const k of this.#keys) if (this.#tails.get(k) === this) this.#tails.delete(k);
  }
}
