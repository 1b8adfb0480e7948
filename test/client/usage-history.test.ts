// The reference's names for usage history: getUsageHistoryV2 (the shape getUsageHistory has) and
// the deprecated fetchUsageHistory (the V1 points).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorCode, type Harness, harness, stores } from '../helpers/fixtures.js';

describe.each(stores)('usage history by the reference’s other names ($name)', (fixture) => {
  let h: Harness;
  const range = { customerId: 'acme', featureId: 'api-calls', startDate: '2025-02-01T00:00:00Z' };
  beforeEach(async () => {
    h = await harness(fixture);
    await h.allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'free' } });
    h.clock.set('2025-02-10T00:00:00Z');
    await h.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 4, dimensions: { region: 'eu' } });
    h.clock.set('2025-02-20T00:00:00Z');
    await h.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 6, dimensions: { region: 'us' } });
    h.clock.set('2025-03-05T00:00:00Z');
    await h.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 1, dimensions: { region: 'eu' } });
  });
  afterEach(() => h.close());

  it('getUsageHistoryV2 answers what getUsageHistory does: series of points with tags, and reset markers', async () => {
    const grouped = { ...range, groupBy: ['region'] };
    const v2 = await h.allot.getUsageHistoryV2({ ...grouped, includeInactiveSubscriptions: true });
    expect(v2).toEqual(await h.allot.getUsageHistory(grouped));
    expect(v2.series.map((s) => s.tags)).toEqual([[{ key: 'region', value: 'eu' }], [{ key: 'region', value: 'us' }]]);
    expect(v2.markers).toEqual([{ type: 'PERIODIC_RESET', timestamp: new Date('2025-02-28T10:00:00.000Z') }]);
  });

  it('refuses a range of more than 10,000 points, at once; a long one off the hour is read whole', async () => {
    // The fuzz found it: a start millennia back, off the hour, made the SQLite store plan one read
    // per day until memory ran out; a dozen years overflowed the PostgreSQL store's query builder.
    for (const startDate of [new Date(-1e15 + 1234), '1997-01-01T00:17:00Z'])
      for (const history of [
        h.allot.getUsageHistory({ ...range, startDate }),
        h.allot.getUsageHistoryV2({ ...range, startDate }),
      ])
        await expect(history).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const long = await h.allot.getUsageHistory({ ...range, startDate: '1998-01-01T00:17:00Z' });
    const used = long.series[0]?.points.filter((p) => !p.isResetPoint && p.value > 0).map((p) => p.value);
    expect(used).toEqual([4, 10, 1]);
  });

  it('fetchUsageHistory (deprecated) answers the ungrouped points as {date, value, isResetPoint}', async () => {
    const points = await h.allot.fetchUsageHistory({ ...range, endDate: '2025-03-06T00:00:00Z' });
    expect(points.map((p) => [p.date.toISOString(), p.value, p.isResetPoint])).toEqual([
      ['2025-02-01T00:00:00.000Z', 0, false],
      ['2025-02-10T00:00:00.000Z', 4, false],
      ['2025-02-20T00:00:00.000Z', 10, false],
      ['2025-02-28T10:00:00.000Z', 0, true],
      ['2025-03-05T00:00:00.000Z', 1, false],
    ]);
    // V1 has no grouping, and a range must be one.
    expect(await errorCode(h.allot.fetchUsageHistory({ ...range, groupBy: ['region'] } as never))).toBe(
      'INVALID_INPUT',
    );
    const backwards = h.allot.fetchUsageHistory({ ...range, endDate: '2025-01-01T00:00:00Z' });
    await expect(backwards).rejects.toThrow('fetchUsageHistory: startDate must be before endDate');
  });
});
