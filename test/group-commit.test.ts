import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BatchOutcome, GroupCommit } from '../src/stores/group-commit.js';

/** A transaction of the toy database: its writes, and those held back for one statement at commit. */
interface ToyTx {
  writes: Map<string, number>;
  /** The batch position of the body running now, and the number of calls in the batch. */
  position: number;
  size: number;
  /** Held writes (PostgreSQL's write-behind of usage): `poison` makes the shared statement fail. */
  held: { position: number; poison: boolean }[];
}

/** A toy database: a committed map, and transactions whose writes are applied to it only on commit. */
class ToyDatabase {
  committed = new Map<string, number>();
  commits: string[][] = [];
  /** Every batch run, by the keys of its calls. */
  batches: string[][] = [];
  open = 0;
  mostOpen = 0;
  failNextCommit = false;

  run = async (keys: readonly string[], bodies: readonly ((tx: ToyTx) => Promise<unknown>)[]) => {
    this.open++;
    this.mostOpen = Math.max(this.mostOpen, this.open);
    this.batches.push([...keys]);
    try {
      const tx: ToyTx = { writes: new Map(), position: 0, size: bodies.length, held: [] };
      const results: unknown[] = [];
      for (const [i, body] of bodies.entries()) {
        tx.position = i;
        try {
          results.push(await body(tx));
        } catch (error) {
          return { failed: i, error } satisfies BatchOutcome;
        }
      }
      // The held writes go as one statement, which fails when any of them is poison: blamed on its
      // one call, or on none when it carried several.
      if (tx.held.some((h) => h.poison)) {
        const positions = [...new Set(tx.held.map((h) => h.position))];
        return positions.length > 1
          ? ({ unsure: positions } satisfies BatchOutcome)
          : ({ failed: positions[0] as number, error: new Error('poison') } satisfies BatchOutcome);
      }
      // A commit takes a moment, during which more calls arrive.
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (this.failNextCommit) {
        this.failNextCommit = false;
        throw new Error('disk full');
      }
      for (const [key, value] of tx.writes) this.committed.set(key, value);
      this.commits.push([...keys]);
      return { committed: results };
    } finally {
      this.open--;
    }
  };
}

/** A promise and the function that resolves it. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('GroupCommit', () => {
  it('runs a call that finds it idle at once, and calls arriving meanwhile together in the next transaction', async () => {
    const db = new ToyDatabase();
    const group = new GroupCommit(db.run, { concurrency: 1, maxBatch: 100 });
    const put = (key: string) =>
      group.submit([key], async (tx) => {
        tx.writes.set(key, 1);
        return key;
      });
    const results = await Promise.all(['a', 'b', 'c', 'd'].map(put));
    expect(results).toEqual(['a', 'b', 'c', 'd']);
    expect(db.commits).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('bounds a batch', async () => {
    const db = new ToyDatabase();
    const group = new GroupCommit(db.run, { concurrency: 1, maxBatch: 2 });
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((k) => group.submit([k], async (tx) => tx.writes.set(k, 1))));
    expect(db.commits).toEqual([['a'], ['b', 'c'], ['d', 'e']]);
  });

  it('rejects every call of a batch whose commit fails, and goes on with the next', async () => {
    const db = new ToyDatabase();
    const group = new GroupCommit(db.run, { concurrency: 1, maxBatch: 10 });
    db.failNextCommit = true;
    const first = group.submit(['a'], async (tx) => tx.writes.set('a', 1));
    const second = group.submit(['b'], async (tx) => tx.writes.set('b', 1));
    await expect(first).rejects.toThrow('disk full');
    await expect(second).resolves.toBeDefined();
    expect([...db.committed.keys()]).toEqual(['b']);
  });

  it('runs each call of a failed shared statement again alone: only the guilty one rejects', async () => {
    const db = new ToyDatabase();
    const group = new GroupCommit(db.run, { concurrency: 2, maxBatch: 10, minBatch: 4 });
    const put = (key: string, poison = false) =>
      group.submit([key], async (tx) => {
        tx.writes.set(key, 1);
        tx.held.push({ position: tx.position, poison });
        return key;
      });
    const outcomes = await Promise.allSettled([put('a'), put('b', true), put('c'), put('d')]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(outcomes[1]).toEqual({ status: 'rejected', reason: new Error('poison') });
    // Together first; then each alone, the guilty one's transaction failing on its own.
    expect(db.batches).toEqual([['a', 'b', 'c', 'd'], ['a'], ['b'], ['c'], ['d']]);
    expect([...db.committed.keys()].sort()).toEqual(['a', 'c', 'd']);
  });

  it('gathers the calls of one tick, and starts a transaction beside a running one only once minBatch wait', async () => {
    const db = new ToyDatabase();
    const group = new GroupCommit(db.run, { concurrency: 3, maxBatch: 4, minBatch: 3 });
    const held = gate();
    const put = (key: string) =>
      group.submit([key], async (tx) => {
        if (key === 'a') await held.promise;
        tx.writes.set(key, 1);
      });
    const first = [put('a'), put('b')];
    await tick();
    expect(db.batches).toEqual([['a', 'b']]);
    const later = [put('c'), put('d')];
    await tick();
    expect(db.open).toBe(1); // two waiting: not enough for a transaction of their own
    later.push(put('e'), put('f'), put('g'), put('h'));
    await tick();
    // Six waiting: a transaction of at most four, and the two left wait.
    expect(db.batches).toEqual([
      ['a', 'b'],
      ['c', 'd', 'e', 'f'],
    ]);
    held.open();
    await Promise.all([...first, ...later]);
    expect(db.batches.slice(2)).toEqual([['g', 'h']]);
    expect(db.mostOpen).toBe(2);
  });

  it('property: each call commits exactly once or, when it throws or poisons a shared statement, not at all; batches respect the bounds', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            delay: fc.nat(3),
            throws: fc.boolean(),
            poison: fc.boolean(),
            key: fc.constantFrom('a', 'b', 'c', 'd'),
          }),
          { minLength: 1, maxLength: 30 },
        ),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 4 }),
        async (calls, concurrency, maxBatch, minBatch) => {
          const db = new ToyDatabase();
          const group = new GroupCommit(db.run, { concurrency, maxBatch, minBatch });
          const runs = new Array<number>(calls.length).fill(0);
          /** The calls that shared a failed statement, and the batches each ran in after. */
          const unsure = new Set<number>();
          const batchSizes: number[][] = calls.map(() => []);
          const outcomes = await Promise.allSettled(
            calls.map(async ({ delay, throws, poison, key }, i) => {
              await new Promise((resolve) => setTimeout(resolve, delay));
              return group.submit([key], async (tx) => {
                runs[i] = (runs[i] ?? 0) + 1;
                batchSizes[i]?.push(tx.size);
                tx.writes.set(`call${i}`, 1);
                tx.held.push({ position: tx.position, poison });
                if (throws) throw new Error(`call ${i}`);
                return i;
              });
            }),
          );
          outcomes.forEach((outcome, i) => {
            const { throws, poison } = calls[i] as { throws: boolean; poison: boolean };
            const expected = throws
              ? { status: 'rejected', reason: new Error(`call ${i}`) }
              : poison
                ? { status: 'rejected', reason: new Error('poison') }
                : { status: 'fulfilled', value: i };
            expect(outcome).toEqual(expected);
            expect(db.committed.has(`call${i}`)).toBe(!throws && !poison);
            expect(runs[i]).toBeGreaterThanOrEqual(1);
            if (poison && !throws) unsure.add(i);
          });
          // A poisoned call's failure is its own only once it ran alone.
          for (const i of unsure) expect(batchSizes[i]?.at(-1)).toBe(1);
          expect(db.mostOpen).toBeLessThanOrEqual(concurrency);
          for (const keys of db.batches) expect(keys.length).toBeLessThanOrEqual(maxBatch);
        },
      ),
      { numRuns: 100 },
    );
  });
});
