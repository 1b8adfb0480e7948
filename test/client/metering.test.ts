import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AllotError, type CatalogInput } from '../../src/index.js';
import { errorCode, type Harness, harness, START, stores } from '../helpers/fixtures.js';

/** Features counted from `llm.call` events, plus one counted from reports. */
const meteredCatalog = {
  features: [
    {
      id: 'tokens',
      featureType: 'NUMBER',
      meterType: 'Incremental',
      meter: {
        eventName: 'llm.call',
        filters: [{ conditions: [{ field: 'model', operation: 'IN', values: ['gpt', 'claude'] }] }],
        aggregation: { function: 'SUM', field: 'tokens' },
      },
    },
    {
      id: 'calls',
      featureType: 'NUMBER',
      meterType: 'Incremental',
      meter: { eventName: 'llm.call', aggregation: { function: 'COUNT' } },
    },
    {
      id: 'cached-calls',
      featureType: 'NUMBER',
      meterType: 'Incremental',
      meter: {
        eventName: 'llm.call',
        // Either a cache hit, or a small call from a batch job.
        filters: [
          { conditions: [{ field: 'cache', operation: 'EQUALS', value: true }] },
          {
            conditions: [
              { field: 'tokens', operation: 'LESS_THAN', value: 10 },
              { field: 'job', operation: 'STARTS_WITH', value: 'batch-' },
            ],
          },
        ],
        aggregation: { function: 'COUNT' },
      },
    },
    {
      id: 'users',
      featureType: 'NUMBER',
      meterType: 'Incremental',
      meter: { eventName: 'llm.call', aggregation: { function: 'UNIQUE', field: 'user' } },
    },
    {
      id: 'peak-latency',
      featureType: 'NUMBER',
      meterType: 'Incremental',
      meter: { eventName: 'llm.call', aggregation: { function: 'MAX', field: 'latency' } },
    },
    {
      id: 'best-latency',
      featureType: 'NUMBER',
      meterType: 'Incremental',
      meter: { eventName: 'llm.call', aggregation: { function: 'MIN', field: 'latency' } },
    },
    {
      id: 'mean-latency',
      featureType: 'NUMBER',
      meterType: 'Incremental',
      meter: { eventName: 'llm.call', aggregation: { function: 'AVG', field: 'latency' } },
    },
    { id: 'api-calls', featureType: 'NUMBER', meterType: 'Incremental' },
    { id: 'sso', featureType: 'BOOLEAN' },
  ],
  products: [{ id: 'app' }],
  plans: [
    {
      id: 'basic',
      productId: 'app',
      entitlements: [
        { featureId: 'tokens', usageLimit: 1000, resetPeriod: 'MONTH' },
        { featureId: 'calls', usageLimit: 100, resetPeriod: 'MONTH' },
        { featureId: 'cached-calls', hasUnlimitedUsage: true, resetPeriod: 'MONTH' },
        { featureId: 'users', usageLimit: 3, resetPeriod: 'MONTH' },
        { featureId: 'peak-latency', usageLimit: 1000, resetPeriod: 'MONTH' },
        { featureId: 'best-latency', usageLimit: 1000, resetPeriod: 'MONTH' },
        { featureId: 'mean-latency', usageLimit: 1000, resetPeriod: 'MONTH' },
        { featureId: 'api-calls', usageLimit: 10, resetPeriod: 'MONTH' },
      ],
    },
    {
      id: 'growth',
      productId: 'app',
      entitlements: [
        { featureId: 'tokens', usageLimit: 5000, resetPeriod: 'MONTH' },
        { featureId: 'api-calls', usageLimit: 20, hasSoftLimit: true, resetPeriod: 'MONTH' },
      ],
    },
    {
      id: 'unlimited',
      productId: 'app',
      entitlements: [{ featureId: 'api-calls', hasUnlimitedUsage: true, resetPeriod: 'MONTH' }],
    },
  ],
} satisfies CatalogInput;

const DAY = 86_400_000;
const start = Date.parse(START);

describe.each(stores)('metering ($name)', (fixture) => {
  let h: Harness;
  const usage = async (featureId: string, customerId = 'acme') =>
    (await h.allot.getMeteredEntitlement({ customerId, featureId })).currentUsage;
  const call = (key: string, dimensions: Record<string, string | number | boolean>, extra: object = {}) => ({
    customerId: 'acme',
    eventName: 'llm.call',
    idempotencyKey: key,
    dimensions,
    ...extra,
  });

  beforeEach(async () => {
    h = await harness(fixture, { catalog: meteredCatalog });
    await h.allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'basic' } });
  });
  afterEach(() => h.close());

  it('aggregates events with every function, each meter applying its own filters', async () => {
    const result = await h.allot.reportEvent([
      call('e1', { model: 'gpt', tokens: 120, user: 'ann', latency: 300 }),
      call('e2', { model: 'claude', tokens: '80', user: 'bob', latency: 100, cache: true }),
      call('e3', { model: 'mistral', tokens: 5, user: 'ann', latency: 200, job: 'batch-7' }),
    ]);
    expect(result).toEqual({ accepted: 3, duplicates: 0 });
    expect(await usage('tokens')).toBe(200); // mistral is filtered out
    expect(await usage('calls')).toBe(3);
    expect(await usage('cached-calls')).toBe(2); // the cache hit, and the small batch call
    expect(await usage('users')).toBe(2);
    expect(await usage('peak-latency')).toBe(300);
    expect(await usage('best-latency')).toBe(100);
    expect(await usage('mean-latency')).toBe(200);
  });

  it('counts a repeated idempotency key once, within a batch, across calls and after a restart', async () => {
    const first = await h.allot.reportEvent([
      call('k1', { model: 'gpt', tokens: 10, user: 'u', latency: 1 }),
      call('k1', { model: 'gpt', tokens: 10, user: 'u', latency: 1 }),
    ]);
    expect(first).toEqual({ accepted: 1, duplicates: 1 });
    expect(await h.allot.reportEvent(call('k1', { model: 'gpt', tokens: 99, user: 'u', latency: 1 }))).toEqual({
      accepted: 0,
      duplicates: 1,
    });
    expect(await usage('tokens')).toBe(10);
    const again = await h.reopen();
    await again.reportEvent([call('k1', { model: 'gpt', tokens: 10, user: 'u', latency: 1 })]);
    expect((await again.getMeteredEntitlement({ customerId: 'acme', featureId: 'tokens' })).currentUsage).toBe(10);
    // The key is per customer: another customer may use it.
    await h.allot.provisionCustomer({ customerId: 'other', subscriptionParams: { planId: 'basic' } });
    await h.allot.reportEvent({
      ...call('k1', { model: 'gpt', tokens: 7, user: 'u', latency: 1 }),
      customerId: 'other',
    });
    expect(await usage('tokens', 'other')).toBe(7);
  });

  it('applies a batch all or nothing, naming the event that failed', async () => {
    const batch = [
      call('a', { model: 'gpt', tokens: 10, user: 'u', latency: 1 }),
      call('b', { model: 'gpt', tokens: 10, user: 'u', latency: 1 }),
      { ...call('c', { model: 'gpt', tokens: 10, user: 'u', latency: 1 }), customerId: 'ghost' },
    ];
    const error = await h.allot.reportEvent(batch).catch((e: unknown) => e);
    expect(AllotError.is(error) && error.code).toBe('CUSTOMER_NOT_FOUND');
    expect(AllotError.is(error) && error.details).toMatchObject({ index: 2 });
    expect(String((error as Error).message)).toContain('item 2');
    const badSum = [
      call('d', { model: 'gpt', tokens: 1, user: 'u', latency: 1 }),
      call('e', { model: 'gpt', user: 'u' }),
    ];
    const sumError = await h.allot.reportEvent(badSum).catch((e: unknown) => e);
    expect(AllotError.is(sumError) && sumError.code).toBe('INVALID_INPUT');
    expect(AllotError.is(sumError) && sumError.details).toMatchObject({ index: 1, featureId: 'tokens' });
    expect(await usage('tokens')).toBe(0);
    expect(await usage('calls')).toBe(0);
    // Nothing was stored, so the same keys are fresh.
    expect(await h.allot.reportEvent(batch.slice(0, 2))).toEqual({ accepted: 2, duplicates: 0 });
  });

  it('rejects a malformed event, an oversized batch and a far-future timestamp with INVALID_INPUT', async () => {
    expect(await errorCode(h.allot.reportEvent({ customerId: 'acme', eventName: 'llm.call' } as never))).toBe(
      'INVALID_INPUT',
    );
    expect(await errorCode(h.allot.reportEvent(call('x', { nested: {} as never })))).toBe('INVALID_INPUT');
    expect(await errorCode(h.allot.reportEvent([]))).toBe('INVALID_INPUT');
    const many = Array.from({ length: 1001 }, (_, i) => call(`m${i}`, {}));
    expect(await errorCode(h.allot.reportEvent(many))).toBe('INVALID_INPUT');
    expect(await errorCode(h.allot.reportEvent(call('f', {}, { timestamp: start + DAY })))).toBe('INVALID_INPUT');
  });

  it('stores an event no meter counts, without counting it', async () => {
    expect(await h.allot.reportEvent({ ...call('n1', {}), eventName: 'page.view' })).toEqual({
      accepted: 1,
      duplicates: 0,
    });
    expect(await usage('calls')).toBe(0);
  });

  it('lands a late event in the period of its timestamp, not the current one', async () => {
    h.clock.set('2025-03-05T00:00:00Z'); // the subscription's periods start on the 31st (clamped)
    await h.allot.reportEvent(call('now', { model: 'gpt', tokens: 10, user: 'u', latency: 1 }));
    await h.allot.reportEvent(
      call('late', { model: 'gpt', tokens: 500, user: 'u', latency: 1 }, { timestamp: '2025-02-20T00:00:00Z' }),
    );
    expect(await usage('tokens')).toBe(10);
    const history = await h.allot.getUsageHistory({
      customerId: 'acme',
      featureId: 'tokens',
      startDate: '2025-02-01T00:00:00Z',
      endDate: '2025-03-06T00:00:00Z',
    });
    const points = history.series[0]?.points.map((p) => [p.timestamp.toISOString(), p.value, p.isResetPoint]);
    expect(points).toEqual([
      ['2025-02-01T00:00:00.000Z', 0, false],
      ['2025-02-20T00:00:00.000Z', 500, false],
      ['2025-02-28T10:00:00.000Z', 0, true],
      ['2025-03-05T00:00:00.000Z', 10, false],
    ]);
    expect(history.markers).toEqual([{ type: 'PERIODIC_RESET', timestamp: new Date('2025-02-28T10:00:00.000Z') }]);
  });

  it('counts a UNIQUE member once per period, and again after a reset', async () => {
    const user = (key: string, name: string) => call(key, { model: 'x', tokens: 1, user: name, latency: 1 });
    await h.allot.reportEvent([user('1', 'ann'), user('2', 'ann'), user('3', 'bob')]);
    await h.allot.reportEvent(user('4', 'ann'));
    expect(await usage('users')).toBe(2);
    h.clock.advance({ months: 1 });
    expect(await usage('users')).toBe(0);
    await h.allot.reportEvent(user('5', 'ann'));
    expect(await usage('users')).toBe(1);
    // A late event for the earlier period adds to that period's set only.
    await h.allot.reportEvent({ ...user('6', 'cid'), timestamp: start + DAY });
    expect(await usage('users')).toBe(1);
  });

  it('denies a check once the events reach the limit, at once', async () => {
    await h.allot.reportEvent(call('big', { model: 'gpt', tokens: 990, user: 'u', latency: 1 }));
    const check = await h.allot.getMeteredEntitlement({
      customerId: 'acme',
      featureId: 'tokens',
      options: { requestedUsage: 20 },
    });
    expect(check).toMatchObject({
      hasAccess: false,
      currentUsage: 990,
      accessDeniedReason: 'RequestedUsageExceedingLimit',
    });
  });

  it('refuses reportUsage on a feature counted from events', async () => {
    expect(await errorCode(h.allot.reportUsage({ customerId: 'acme', featureId: 'tokens', value: 1 }))).toBe(
      'INVALID_OPERATION',
    );
  });

  it('places a report stamped in an earlier period in that period', async () => {
    h.clock.set('2025-03-05T00:00:00Z');
    const ack = await h.allot.reportUsage({
      customerId: 'acme',
      featureId: 'api-calls',
      value: 4,
      createdAt: new Date('2025-02-10T00:00:00Z'),
    });
    expect(ack.currentUsage).toBe(4);
    expect(ack.usagePeriodStart?.toISOString()).toBe('2025-01-31T10:00:00.000Z');
    expect(await usage('api-calls')).toBe(0);
  });

  it('reads the right window after the clock is moved back', async () => {
    await h.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 3 });
    h.clock.advance({ months: 1 });
    await h.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 5 });
    h.clock.set(START);
    expect(await usage('api-calls')).toBe(3);
    await h.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 1 });
    expect(await usage('api-calls')).toBe(4);
    h.clock.advance({ months: 1 });
    expect(await usage('api-calls')).toBe(5);
  });

  describe('retention', () => {
    const tokensHistory = async (allot = h.allot) =>
      (
        await allot.getUsageHistory({ customerId: 'acme', featureId: 'api-calls', startDate: start - DAY })
      ).series[0]?.points.filter((p) => !p.isResetPoint && p.value > 0).length;

    it('prunes history and event keys before an instant, never an aggregate', async () => {
      await h.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 3 });
      await h.allot.reportEvent(call('old', { model: 'gpt', tokens: 10, user: 'u', latency: 1 }));
      h.clock.advance({ days: 40 });
      await h.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 2 });
      expect(await tokensHistory()).toBe(2);
      const { pruned } = await h.allot.pruneUsageHistory({ before: start + 30 * DAY });
      expect(pruned).toBeGreaterThan(1);
      expect(await tokensHistory()).toBe(1);
      // The first period's aggregate is intact: a late report there builds on it.
      const late = await h.allot.reportUsage({
        customerId: 'acme',
        featureId: 'api-calls',
        value: 1,
        createdAt: start + DAY,
      });
      expect(late.currentUsage).toBe(4);
      expect(await usage('api-calls')).toBe(2);
      // A pruned key is forgotten: the event counts again (hence a retention beyond any retry).
      expect(await h.allot.reportEvent(call('old', { model: 'gpt', tokens: 10, user: 'u', latency: 1 }))).toEqual({
        accepted: 1,
        duplicates: 0,
      });
    });

    it('usageHistoryRetentionMs prunes after a write, at most once an hour', async () => {
      const kept = await harness(fixture, { catalog: meteredCatalog, usageHistoryRetentionMs: 30 * DAY });
      try {
        await kept.allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'basic' } });
        await kept.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 3 });
        kept.clock.advance({ days: 40 });
        await kept.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 2 });
        // The prune runs after the write, off its caller's path: on PostgreSQL it may commit a little later.
        await expect.poll(() => tokensHistory(kept.allot), { timeout: 5_000, interval: 20 }).toBe(1);
      } finally {
        await kept.close();
      }
    });
  });

  describe('checkAndReportUsage', () => {
    const attempt = (value: number, idempotencyKey?: string) =>
      h.allot.checkAndReportUsage({
        customerId: 'acme',
        featureId: 'api-calls',
        value,
        ...(idempotencyKey ? { idempotencyKey } : {}),
      });

    it('records only what fits the hard limit, and says why it refused', async () => {
      const granted = await attempt(7);
      expect(granted.hasAccess).toBe(true);
      expect(granted.usage?.currentUsage).toBe(7);
      expect(granted.entitlement).toMatchObject({ currentUsage: 7 - 7, requestedUsage: 7, usageLimit: 10 });
      const refused = await attempt(4);
      expect(refused).toMatchObject({
        hasAccess: false,
        entitlement: { accessDeniedReason: 'RequestedUsageExceedingLimit' },
      });
      expect(refused.usage).toBeUndefined();
      expect(await usage('api-calls')).toBe(7);
      expect((await attempt(3)).hasAccess).toBe(true);
      expect((await attempt(1)).hasAccess).toBe(false);
      expect(await usage('api-calls')).toBe(10);
    });

    it('always grants soft-limited and unlimited features', async () => {
      await h.allot.provisionSubscription({ customerId: 'acme', planId: 'growth' });
      for (let i = 0; i < 3; i++) expect((await attempt(15)).hasAccess).toBe(true);
      expect(await usage('api-calls')).toBe(45);
      await h.allot.provisionSubscription({ customerId: 'acme', planId: 'unlimited' });
      expect((await attempt(1e9)).hasAccess).toBe(true);
    });

    it('applies an idempotency key once, returning the first acknowledgement', async () => {
      const first = await attempt(6, 'once');
      const again = await attempt(6, 'once');
      expect(again.hasAccess).toBe(true);
      expect(again.usage?.measurementId).toBe(first.usage?.measurementId);
      expect(await usage('api-calls')).toBe(6);
    });

    it('grants concurrent attempts exactly up to the limit', async () => {
      const results = await Promise.all(Array.from({ length: 25 }, () => attempt(1)));
      expect(results.filter((r) => r.hasAccess)).toHaveLength(10);
      expect(await usage('api-calls')).toBe(10);
    });

    it('denies a feature the plan lacks, records nothing, and refuses bad input', async () => {
      const denied = await h.allot.checkAndReportUsage({ customerId: 'acme', featureId: 'sso', value: 1 });
      expect(denied).toMatchObject({ hasAccess: false });
      expect(await errorCode(attempt(-1))).toBe('INVALID_INPUT');
      expect(
        await errorCode(h.allot.checkAndReportUsage({ customerId: 'ghost', featureId: 'api-calls', value: 1 })),
      ).toBe('CUSTOMER_NOT_FOUND');
    });
  });

  describe('getUsageHistory', () => {
    it('groups by dimensions and marks a reset by a subscription change', async () => {
      await h.allot.reportEvent([
        call('1', { model: 'gpt', tokens: 10, user: 'u', latency: 1 }),
        call('2', { model: 'claude', tokens: 5, user: 'u', latency: 1 }),
      ]);
      h.clock.advance({ days: 2 });
      await h.allot.reportEvent(call('3', { model: 'gpt', tokens: 1, user: 'u', latency: 1 }));
      h.clock.advance({ days: 1 });
      await h.allot.provisionSubscription({ customerId: 'acme', planId: 'growth' });
      h.clock.advance({ days: 1 });
      await h.allot.reportEvent(call('4', { model: 'gpt', tokens: 2, user: 'u', latency: 1 }));
      const history = await h.allot.getUsageHistory({
        customerId: 'acme',
        featureId: 'tokens',
        startDate: start,
        groupBy: ['model'],
      });
      const byModel = Object.fromEntries(
        history.series.map((s) => [
          s.tags[0]?.value,
          s.points.map((p) => [(p.timestamp.getTime() - start) / DAY, p.value]),
        ]),
      );
      expect(byModel).toEqual({
        gpt: [
          [0, 10],
          [2, 11],
          [3, 0],
          [4, 2],
        ],
        claude: [
          [0, 5],
          [3, 0],
        ],
      });
      expect(history.markers).toEqual([{ type: 'SUBSCRIPTION_CHANGE_RESET', timestamp: new Date(start + 3 * DAY) }]);
    });

    it('rejects an empty range, more than three group keys and a feature that is not metered', async () => {
      const base = { customerId: 'acme', featureId: 'tokens' };
      expect(await errorCode(h.allot.getUsageHistory({ ...base, startDate: start, endDate: start }))).toBe(
        'INVALID_INPUT',
      );
      expect(
        await errorCode(h.allot.getUsageHistory({ ...base, startDate: start - DAY, groupBy: ['a', 'b', 'c', 'd'] })),
      ).toBe('INVALID_INPUT');
      expect(await errorCode(h.allot.getUsageHistory({ ...base, featureId: 'sso', startDate: start - DAY }))).toBe(
        'FEATURE_NOT_METERED',
      );
    });
  });
});
