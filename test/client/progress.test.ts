// onProgress on long operations: a catalog migration over every customer, pruning history.
// Progress only moves forward, and its last report has done === total.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AllotLogger } from '../../src/client/logger.js';
import { ProgressReporter } from '../../src/client/progress.js';
import { Allot, type Progress } from '../../src/index.js';
import { memoryStore } from '../../src/stores/memory/index.js';
import { catalog, errorCode, type Harness, harness, START, stores } from '../helpers/fixtures.js';

/** The catalog with free's api-calls limit raised: a new version of free to migrate to. */
const raised = {
  ...catalog,
  plans: catalog.plans.map((p) =>
    p.id === 'free'
      ? { ...p, entitlements: p.entitlements.map((e) => (e.featureId === 'api-calls' ? { ...e, usageLimit: 500 } : e)) }
      : p,
  ),
};

/** Progress only moves forward (no report repeats the one before), and the last one is the total. */
function expectWellFormed(reports: readonly Progress[], operation: Progress['operation'], total: number): void {
  expect(reports.length).toBeGreaterThan(0);
  for (const r of reports) expect(r.operation).toBe(operation);
  for (let i = 1; i < reports.length; i++)
    expect((reports[i] as Progress).done).toBeGreaterThan((reports[i - 1] as Progress).done);
  expect(reports.at(-1)).toEqual({ operation, done: total, total });
}

describe.each(stores)('progress ($name)', (fixture) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(fixture);
  });
  afterEach(() => h.close());

  it('a migration to a new catalog version reports the subscriptions looked at, up to all of them', async () => {
    for (const customerId of ['a', 'b', 'c', 'd'])
      await h.allot.provisionCustomer({ customerId, subscriptionParams: { planId: 'free' } });
    await h.allot.provisionCustomer({ customerId: 'e', subscriptionParams: { planId: 'pro', skipTrial: true } });
    await h.allot.provisionSubscription({ customerId: 'e', planId: 'bucket', resourceId: 'site-1' });
    const reports: Progress[] = [];
    const fresh = await h.reopen({
      catalog: raised,
      catalogMigration: 'ALL_CUSTOMERS',
      onProgress: (p) => reports.push(p),
    });
    expect(reports[0]).toEqual({ operation: 'migrate', done: 0, total: 6 });
    expectWellFormed(reports, 'migrate', 6);
    // It did migrate: the free subscribers are on the raised version.
    expect((await fresh.getMeteredEntitlement({ customerId: 'a', featureId: 'api-calls' })).usageLimit).toBe(500);
  });

  it('no new version, no migration, no progress', async () => {
    await h.allot.provisionCustomer({ customerId: 'a', subscriptionParams: { planId: 'free' } });
    const onProgress = vi.fn();
    await h.reopen({ catalogMigration: 'ALL_CUSTOMERS', onProgress });
    expect(onProgress).not.toHaveBeenCalled();
  });

  it('pruning reports its start and, once committed, how many rows went', async () => {
    await h.allot.provisionCustomer({ customerId: 'a', subscriptionParams: { planId: 'free' } });
    for (const value of [1, 2, 3]) await h.allot.reportUsage({ customerId: 'a', featureId: 'api-calls', value });
    h.clock.advance({ days: 3 });
    const reports: Progress[] = [];
    const { pruned } = await h.allot.pruneUsageHistory({ before: h.clock.now(), onProgress: (p) => reports.push(p) });
    expect(pruned).toBeGreaterThan(0);
    expect(reports).toEqual([
      { operation: 'prune', done: 0 },
      { operation: 'prune', done: pruned, total: pruned },
    ]);
    const again: Progress[] = [];
    await h.allot.pruneUsageHistory({ before: h.clock.now(), onProgress: (p) => again.push(p) });
    expect(again).toEqual([
      { operation: 'prune', done: 0 },
      { operation: 'prune', done: 0, total: 0 },
    ]);
  });
});

describe('progress', () => {
  it('a migration over several pages of subscriptions reports each page, in order, up to the total', async () => {
    const store = memoryStore();
    const first = Allot.initialize({ catalog, store, clock: { now: () => Date.parse(START) } });
    const customers = Array.from({ length: 1_100 }, (_, i) => ({
      customerId: `c${String(i).padStart(4, '0')}`,
      subscriptionParams: { planId: i % 2 === 0 ? 'free' : 'bucket' },
    }));
    for (const c of customers) await first.provisionCustomer(c);
    const reports: Progress[] = [];
    const second = Allot.initialize({
      catalog: raised,
      store,
      clock: { now: () => Date.parse(START) },
      catalogMigration: 'ALL_CUSTOMERS',
      onProgress: (p) => reports.push(p),
    });
    await second.waitForInitialization();
    expectWellFormed(reports, 'migrate', 1_100);
    // Every page ends with a report: 500, 1000, then the last page's end.
    for (const done of [500, 1_000]) expect(reports.some((r) => r.done === done)).toBe(true);
    expect(reports.every((r) => r.total === 1_100)).toBe(true);
    await second.close();
    await first.close();
  });

  it('a throwing listener is logged and fails nothing', async () => {
    const h = await harness(stores[0] as (typeof stores)[number]);
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await expect(
        h.allot.pruneUsageHistory({
          before: START,
          onProgress: () => {
            throw new Error('bar broke');
          },
        }),
      ).resolves.toEqual({ pruned: 0 });
      expect(error).toHaveBeenCalledWith(
        expect.stringContaining('onProgress listener threw during prune'),
        expect.any(Error),
      );
    } finally {
      error.mockRestore();
      await h.close();
    }
  });

  it('onProgress must be a function', async () => {
    const h = await harness(stores[0] as (typeof stores)[number]);
    try {
      const bad = { before: START, onProgress: 'loud' } as never;
      expect(await errorCode(h.allot.pruneUsageHistory(bad))).toBe('INVALID_INPUT');
      expect(() => Allot.initialize({ catalog, onProgress: 42 as never })).toThrow(/onProgress must be a function/);
    } finally {
      await h.close();
    }
  });

  describe('ProgressReporter', () => {
    const reporter = (total?: number) => {
      const reports: Progress[] = [];
      return { reports, progress: new ProgressReporter('import', (p) => reports.push(p), new AllotLogger(), total) };
    };

    it('drops steps that do not move forward', () => {
      const { reports, progress } = reporter(10);
      for (const done of [0, 3, 3, 2, 7]) progress.report(done);
      progress.finish(10);
      expect(reports.map((r) => r.done)).toEqual([0, 3, 7, 10]);
      expect(reports.every((r) => r.total === 10)).toBe(true);
    });

    it('raises a total that turned out too low rather than showing done past it', () => {
      const { reports, progress } = reporter(2);
      progress.report(3);
      progress.finish(4);
      expect(reports).toEqual([
        { operation: 'import', done: 3, total: 3 },
        { operation: 'import', done: 4, total: 4 },
      ]);
    });

    it('without a total, reports have none until the end', () => {
      const { reports, progress } = reporter();
      progress.report(5);
      progress.finish(5);
      expect(reports).toEqual([
        { operation: 'import', done: 5 },
        { operation: 'import', done: 5, total: 5 },
      ]);
    });

    it('reports nothing without a listener', () => {
      const progress = new ProgressReporter('export', undefined, new AllotLogger(), 3);
      expect(progress.listening).toBe(false);
      progress.report(1);
      progress.finish(3);
    });
  });
});
