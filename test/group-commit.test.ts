import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BatchOutcome, GroupCommit } from '../src/stores/group-commit.js';

/** A toy database: a committed map, and transactions whose writes are applied to it only on commit. */
class ToyDatabase {
  committed = new Map<string, number>();
  commits: string[][] = [];
  open = 0;
  mostOpen = 0;
  failNextCommit = false;

  run = async (keys: readonly string[], bodies: readonly ((tx: Map<string, number>) => Promise<unknown>)[]) => {
    this.open++;
    this.mostOpen = Math.max(this.mostOpen, this.open);
    try {
      const tx = new Map<string, number>();
      const results: unknown[] = [];
      for (const [i, body] of bodies.entries()) {
        try {
          results.push(await body(tx));
        } catch (error) {
          return { failed: i, error } satisfies BatchOutcome;
        }
      }
      // A commit takes a moment, during which more calls arrive.
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (this.failNextCommit) {
        this.failNextCommit = false;
        throw new Error('disk full');
      }
      for (const [key, value] of tx) this.committed.set(key, value);
      this.commits.push([...keys]);
      return { committed: results };
    } finally {
      this.open--;
    }
  };
}

describe('GroupCommit', () => {
  it('runs a call that finds it idle at once, and calls arriving meanwhile together in the next transaction', async () => {
    const db = new ToyDatabase();
    const group = new GroupCommit(db.run, { concurrency: 1, maxBatch: 100 });
    const put = (key: string) =>
      group.submit([key], async (tx) => {
        tx.set(key, 1);
        return key;
      });
    const results = await Promise.all(['a', 'b', 'c', 'd'].map(put));
    expect(results).toEqual(['a', 'b', 'c', 'd']);
    expect(db.commits).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('bounds a batch', async () => {
    const db = new ToyDatabase();
    const group = new GroupCommit(db.run, { concurrency: 1, maxBatch: 2 });
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((k) => group.submit([k], async (tx) => tx.set(k, 1))));
    expect(db.commits).toEqual([['a'], ['b', 'c'], ['d', 'e']]);
  });

  it('rejects every call of a batch whose commit fails, and goes on with the next', async () => {
    const db = new ToyDatabase();
    const group = new GroupCommit(db.run, { concurrency: 1, maxBatch: 10 });
    db.failNextCommit = true;
    const first = group.submit(['a'], async (tx) => tx.set('a', 1));
    const second = group.submit(['b'], async (tx) => tx.set('b', 1));
    await expect(first).rejects.toThrow('disk full');
    await expect(second).resolves.toBeDefined();
    expect([...db.committed.keys()]).toEqual(['b']);
  });

  it('property: each call commits exactly once or, when it throws, not at all; batches respect the bounds', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ delay: fc.nat(3), throws: fc.boolean(), key: fc.constantFrom('a', 'b', 'c', 'd') }), {
          minLength: 1,
          maxLength: 30,
        }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 8 }),
        async (calls, concurrency, maxBatch) => {
          const db = new ToyDatabase();
          const group = new GroupCommit(db.run, { concurrency, maxBatch });
          const runs = new Array<number>(calls.length).fill(0);
          const outcomes = await Promise.allSettled(
            calls.map(async ({ delay, throws, key }, i) => {
              await new Promise((resolve) => setTimeout(resolve, delay));
              return group.submit([key], async (tx) => {
                runs[i] = (runs[i] ?? 0) + 1;
                tx.set(`call${i}`, 1);
                if (throws) throw new Error(`call ${i}`);
                return i;
              });
            }),
          );
          outcomes.forEach((outcome, i) => {
            const { throws } = calls[i] as { throws: boolean };
            expect(outcome).toEqual(
              throws ? { status: 'rejected', reason: new Error(`call ${i}`) } : { status: 'fulfilled', value: i },
            );
            expect(db.committed.has(`call${i}`)).toBe(!throws);
            expect(runs[i]).toBeGreaterThanOrEqual(1);
          });
          expect(db.mostOpen).toBeLessThanOrEqual(concurrency);
          for (const keys of db.commits) expect(keys.length).toBeLessThanOrEqual(maxBatch);
        },
      ),
      { numRuns: 100 },
    );
  });
});
