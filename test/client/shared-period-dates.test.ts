// The dates on metered results are shared per usage window and read-only: a caller's change to
// one would otherwise reach every later result. Copies made the usual ways are plain Dates.
import { addDays } from 'date-fns/addDays';
import { describe, expect, it } from 'vitest';
import { periodDates } from '../../src/core/period-dates.js';
import { harness, stores } from '../helpers/fixtures.js';

const JAN = Date.UTC(2025, 0, 1);
const FEB = Date.UTC(2025, 1, 1);

describe('period dates', () => {
  it('refuse every setter, with a TypeError that says how to copy', () => {
    const { end } = periodDates(JAN, JAN, FEB);
    const setters = Object.getOwnPropertyNames(Date.prototype).filter((name) => name.startsWith('set'));
    expect(setters.length).toBeGreaterThanOrEqual(15);
    for (const setter of setters) {
      const set = (end as unknown as Record<string, (v: number) => number>)[setter];
      expect(() => set?.call(end, 1), setter).toThrow(/read-only; copy it first/);
    }
    expect(end.getTime()).toBe(FEB);
  });

  it('are Dates equal to plain ones, and every copy is a plain, mutable Date', () => {
    const { start } = periodDates(JAN, JAN, FEB);
    expect(start).toBeInstanceOf(Date);
    expect(start).toStrictEqual(new Date(JAN));
    expect(JSON.stringify({ start })).toBe(JSON.stringify({ start: new Date(JAN) }));
    for (const copy of [new Date(start), addDays(start, 1), structuredClone(start)]) {
      copy.setUTCFullYear(2030);
      expect(copy.getUTCFullYear()).toBe(2030);
    }
    expect(start.getTime()).toBe(JAN);
  });
});

describe.each(stores)('metered results share their window dates ($name)', (fixture) => {
  it('the same instances from the second check until the window changes, then new ones', async () => {
    const h = await harness(fixture);
    try {
      await h.allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'pro' } });
      const check = () => h.allot.getMeteredEntitlement({ customerId: 'acme', featureId: 'api-calls' });
      // Kept from the window's second result on: a customer checked once per window holds none.
      const first = await check();
      expect(() => first.usagePeriodEnd?.setTime(0)).toThrow(TypeError);
      await check();
      const kept = await check();
      await h.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 3 });
      const second = await check();
      expect(second.currentUsage).toBe(3);
      expect(second.usagePeriodEnd).toBe(kept.usagePeriodEnd);
      expect(second.usagePeriodEnd).toStrictEqual(first.usagePeriodEnd);
      expect(second.nextResetDate).toBe(second.usagePeriodEnd);
      expect(() => second.usagePeriodEnd?.setTime(0)).toThrow(TypeError);

      h.clock.set(first.usagePeriodEnd as Date);
      const next = await check();
      expect(next.usagePeriodStart).toStrictEqual(new Date(first.usagePeriodEnd as Date));
      expect(next.usagePeriodStart).not.toBe(first.usagePeriodEnd);
      expect(next.currentUsage).toBe(0);
    } finally {
      await h.close();
    }
  });
});
