import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { harness, stores } from '../helpers/fixtures.js';

fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261121) });

interface Report {
  value: number;
  set: boolean;
  key: string | undefined;
}

const report = fc.record({
  value: fc.integer({ min: -20, max: 20 }),
  set: fc.boolean(),
  key: fc.option(fc.constantFrom('a', 'b', 'c', 'd'), { nil: undefined }),
});

/** The reference model: DELTA adds and floors at 0, SET replaces, a repeated key replays its first ack. */
function model(reports: readonly Report[]): { acks: number[]; final: number } {
  const firstAck = new Map<string, number>();
  const acks: number[] = [];
  let usage = 0;
  for (const r of reports) {
    const replay = r.key === undefined ? undefined : firstAck.get(r.key);
    if (replay !== undefined) {
      acks.push(replay);
      continue;
    }
    usage = r.set ? Math.abs(r.value) : Math.max(0, usage + r.value);
    if (r.key !== undefined) firstAck.set(r.key, usage);
    acks.push(usage);
  }
  return { acks, final: usage };
}

describe.each(stores)('usage properties ($name)', (fixture) => {
  it('usage never goes negative, and an idempotency key counts once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(report, { maxLength: 30 }), async (reports) => {
        const h = await harness(fixture);
        try {
          await h.allot.provisionCustomer({ customerId: 'c', subscriptionParams: { planId: 'free' } });
          const acks: number[] = [];
          for (const r of reports) {
            const ack = await h.allot.reportUsage({
              customerId: 'c',
              featureId: 'api-calls',
              value: r.set ? Math.abs(r.value) : r.value,
              updateBehavior: r.set ? 'SET' : 'DELTA',
              ...(r.key === undefined ? {} : { idempotencyKey: r.key }),
            });
            expect(ack.currentUsage).toBeGreaterThanOrEqual(0);
            acks.push(ack.currentUsage);
          }
          const expected = model(reports);
          expect(acks).toEqual(expected.acks);
          const check = await h.allot.getMeteredEntitlement({ customerId: 'c', featureId: 'api-calls' });
          expect(check.currentUsage).toBe(expected.final);
        } finally {
          await h.close();
        }
      }),
      { numRuns: fixture.name === 'memory' ? 100 : 25 },
    );
  });
});
