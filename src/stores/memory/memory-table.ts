/** Rows of one kind by key, indexed by owning customer so one customer's rows cost only their own count. */
export class MemoryTable<V> {
  readonly #rows = new Map<string, V>();
  readonly #byOwner = new Map<string, Set<string>>();
  readonly #keyOf: (row: V) => string;
  readonly #ownerOf: ((row: V) => string) | undefined;

  constructor(keyOf: (row: V) => string, ownerOf?: (row: V) => string) {
    this.#keyOf = keyOf;
    this.#ownerOf = ownerOf;
  }

  keyOf(row: V): string {
    return this.#keyOf(row);
  }

  get(key: string): V | undefined {
    return this.#rows.get(key);
  }

  /** A fresh array of every row. */
  values(): V[] {
    return [...this.#rows.values()];
  }

  /** A fresh array of the rows `owner` owns. */
  ownedBy(owner: string): V[] {
    const rows: V[] = [];
    for (const key of this.#byOwner.get(owner) ?? []) {
      const row = this.#rows.get(key);
      if (row !== undefined) rows.push(row);
    }
    return rows;
  }

  /** Inserts or replaces a row; returns the one it replaced. */
  put(row: V): V | undefined {
    const key = this.#keyOf(row);
    const previous = this.remove(key);
    this.#rows.set(key, row);
    if (this.#ownerOf !== undefined) {
      const owner = this.#ownerOf(row);
      const keys = this.#byOwner.get(owner);
      if (keys === undefined) this.#byOwner.set(owner, new Set([key]));
      else keys.add(key);
    }
    return previous;
  }

  /** Deletes a row; returns it. */
  remove(key: string): V | undefined {
    const row = this.#rows.get(key);
    if (row === undefined) return undefined;
    this.#rows.delete(key);
    if (this.#ownerOf !== undefined) {
      const owner = this.#ownerOf(row);
      const keys = this.#byOwner.get(owner);
      keys?.delete(key);
      if (keys?.size === 0) this.#byOwner.delete(owner);
    }
    return row;
  }
}
