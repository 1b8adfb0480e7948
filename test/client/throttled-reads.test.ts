// With changeCheckIntervalMs, an async check probes for other processes' commits at most once per
// interval, and once a probe sees one it catches up; reads other than checks always catch up.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Allot } from '../../src/index.js';
import { type Harness, harness, seen, sharedStores } from '../helpers/fixtures.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(sharedStores)('throttled engine, async checks ($name)', (fixture) => {
  let h: Harness;
  let throttled: Allot;
  beforeEach(async () => {
    h = await harness(fixture);
    await h.allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'free' } });
    throttled = await h.reopen({ changeCheckIntervalMs: 5 });
  });
  afterEach(() => h.close());

  const calls = async (allot: Allot) =>
    (await allot.getMeteredEntitlement({ customerId: 'acme', featureId: 'api-calls' })).currentUsage;

  it("sees another engine's commit at a check once the interval has passed", async () => {
    expect(await calls(throttled)).toBe(0); // warm
    await h.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 3 });
    // On PostgreSQL the commit reaches this instance within the store's bound first.
    const rounds = 5 + Math.ceil((fixture.crossInstanceDelayMs ?? 0) / 20);
    for (let i = 0; i < rounds; i++) {
      await tick(20); // well past the interval each time
      if ((await calls(throttled)) === 3) break;
    }
    await tick(20);
    expect(await calls(throttled)).toBe(3);
  });

  it('a read that is not a check sees a commit made since the last probe', async () => {
    const slow = await h.reopen({ changeCheckIntervalMs: 60_000 });
    expect((await slow.getActiveSubscriptions({ customerId: 'acme' })).map((s) => s.planId)).toEqual(['free']);
    await h.allot.provisionSubscription({ customerId: 'acme', planId: 'pro', skipTrial: true });
    // Not a check: the option throttles checks only (and 60 s is far beyond PostgreSQL's bound).
    const plans = async () => (await slow.getActiveSubscriptions({ customerId: 'acme' })).map((s) => s.planId);
    expect(await seen(fixture, plans, ['pro'])).toEqual(['pro']);
  });
});
