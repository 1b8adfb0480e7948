import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyedLock } from '../../src/client/engine/keyed-lock.js';

const FC_SEED = Number(process.env.FC_SEED ?? 20_261_207);

/** Holds `keys` for a few ticks, recording when it holds them; throws after its work when told to. */
async function holder(
  lock: KeyedLock,
  keys: readonly string[],
  ticks: number,
  log: { held: Set<string>; overlaps: number; order: number[] },
  id: number,
  fail: boolean,
): Promise<void> {
  const hold = lock.acquire(keys);
  try {
    if (hold.ready !== undefined) await hold.ready;
    for (const k of new Set(keys)) {
      if (log.held.has(k)) log.overlaps++;
      log.held.add(k);
    }
    log.order.push(id);
    for (let t = 0; t < ticks; t++) await Promise.resolve();
    for (const k of new Set(keys)) log.held.delete(k);
    if (fail) throw new Error(`holder ${id} failed`);
  } finally {
    hold.release();
  }
}

describe('KeyedLock', () => {
  it('an uncontended holder has nothing to wait for', () => {
    const lock = new KeyedLock();
    const a = lock.acquire(['a']);
    expect(a.ready).toBeUndefined();
    a.release();
    expect(lock.acquire(['a']).ready).toBeUndefined();
  });

  it('property: no two holders of a key overlap, and holders sharing a key go in acquire order', async () => {
    const call = fc.record({
      keys: fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { minLength: 1, maxLength: 3 }),
      ticks: fc.integer({ min: 0, max: 4 }),
      fail: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 12 }), async (calls) => {
        const lock = new KeyedLock();
        const log = { held: new Set<string>(), overlaps: 0, order: [] as number[] };
        const settled = await Promise.allSettled(calls.map((c, id) => holder(lock, c.keys, c.ticks, log, id, c.fail)));
        expect(log.overlaps).toBe(0);
        // Every holder ran, failing or not: a failure releases its keys too.
        expect([...log.order].sort((x, y) => x - y)).toEqual(calls.map((_, id) => id));
        settled.forEach((s, id) => {
          expect(s.status).toBe(calls[id]?.fail ? 'rejected' : 'fulfilled');
        });
        // Two holders sharing a key started in the order they acquired it.
        const started = new Map(log.order.map((id, position) => [id, position]));
        for (let i = 0; i < calls.length; i++)
          for (let j = i + 1; j < calls.length; j++)
            if (calls[i]?.keys.some((k) => calls[j]?.keys.includes(k)))
              expect(started.get(i) as number).toBeLessThan(started.get(j) as number);
        // Nothing is left held.
        for (const k of ['a', 'b', 'c', 'd']) expect(lock.acquire([k]).ready).toBeUndefined();
      }),
      { seed: FC_SEED, numRuns: 300 },
    );
  });
});
