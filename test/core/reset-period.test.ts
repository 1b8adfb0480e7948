import { afterEach, describe, expect, it } from 'vitest';
import { addMonthsUtc, periodAnchor, usagePeriod } from '../../src/core/reset-period.js';
import type { EntitlementResetPeriod } from '../../src/model/enums.js';
import { at, DAY, expectAllotError, HOUR, iso } from './factories.js';
import { fc } from './fc-setup.js';

const PERIODS: readonly EntitlementResetPeriod[] = ['HOUR', 'DAY', 'WEEK', 'MONTH', 'YEAR'];
const FIXED: Partial<Record<EntitlementResetPeriod, number>> = { HOUR, DAY, WEEK: 7 * DAY };
const STEP_MONTHS: Partial<Record<EntitlementResetPeriod, number>> = { MONTH: 1, YEAR: 12 };
const WEEKDAYS = [
  'EverySunday',
  'EveryMonday',
  'EveryTuesday',
  'EveryWednesday',
  'EveryThursday',
  'EveryFriday',
  'EverySaturday',
] as const;

const MIN = Date.UTC(1950, 0, 1);
const MAX = Date.UTC(2150, 0, 1);

/** Days in a UTC month, computed without date-fns. */
function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

/**
 * Independent oracle for "anchor plus k months": same time of day, the anchor's day of month
 * clamped to the target month's length.
 */
function oracleAddMonths(anchor: number, k: number): number {
  const a = new Date(anchor);
  const monthIndex = a.getUTCFullYear() * 12 + a.getUTCMonth() + k;
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex - year * 12;
  const day = Math.min(a.getUTCDate(), daysInMonth(year, month));
  const timeOfDay = anchor - Date.UTC(a.getUTCFullYear(), a.getUTCMonth(), a.getUTCDate());
  return Date.UTC(year, month, day) + timeOfDay;
}

/** Calendar months from `a` to `b` by UTC year and month only. */
function monthDiff(a: number, b: number): number {
  const x = new Date(a);
  const y = new Date(b);
  return (y.getUTCFullYear() - x.getUTCFullYear()) * 12 + (y.getUTCMonth() - x.getUTCMonth());
}

/** An instant anywhere in 1950..2150, with month ends (the drift-prone anchors) over-represented. */
const instant = fc.oneof(
  fc.integer({ min: MIN, max: MAX }),
  fc
    .record({
      year: fc.integer({ min: 1950, max: 2149 }),
      month: fc.integer({ min: 0, max: 11 }),
      back: fc.integer({ min: 0, max: 3 }),
      ms: fc.integer({ min: 0, max: DAY - 1 }),
    })
    .map(({ year, month, back, ms }) => Date.UTC(year, month + 1, 0) - back * DAY + ms),
);
const period = fc.constantFrom(...PERIODS);
/** An interval count: mostly small, sometimes the most allowed. */
const count = fc.oneof(fc.integer({ min: 1, max: 36 }), fc.constant(1000));

describe('usagePeriod examples', () => {
  it('counts fixed periods from the anchor, not from midnight or the epoch', () => {
    const anchor = at('2024-03-10T13:45:00Z');
    expect(usagePeriod('DAY', anchor, at('2024-03-12T09:00:00Z'))).toEqual({
      anchor,
      start: at('2024-03-11T13:45:00Z'),
      end: at('2024-03-12T13:45:00Z'),
    });
    expect(usagePeriod('HOUR', anchor, at('2024-03-10T15:44:59.999Z'))).toEqual({
      anchor,
      start: at('2024-03-10T14:45:00Z'),
      end: at('2024-03-10T15:45:00Z'),
    });
    expect(usagePeriod('WEEK', anchor, at('2024-03-24T13:45:00Z'))).toEqual({
      anchor,
      start: at('2024-03-24T13:45:00Z'),
      end: at('2024-03-31T13:45:00Z'),
    });
  });

  it('is half-open: now at the anchor starts a period, one ms before belongs to the previous one', () => {
    const anchor = at('2024-01-15T00:00:00Z');
    expect(usagePeriod('MONTH', anchor, anchor)).toEqual({ anchor, start: anchor, end: at('2024-02-15T00:00:00Z') });
    expect(usagePeriod('MONTH', anchor, anchor - 1)).toEqual({
      anchor,
      start: at('2023-12-15T00:00:00Z'),
      end: anchor,
    });
  });

  it('handles now before the anchor by counting backwards', () => {
    const anchor = at('2024-05-31T08:00:00Z');
    expect(usagePeriod('DAY', anchor, at('2024-05-29T09:00:00Z'))).toEqual({
      anchor,
      start: at('2024-05-29T08:00:00Z'),
      end: at('2024-05-30T08:00:00Z'),
    });
    const m = usagePeriod('MONTH', anchor, at('2024-03-01T00:00:00Z'));
    expect([iso(m.start), iso(m.end)]).toEqual(['2024-02-29T08:00:00.000Z', '2024-03-31T08:00:00.000Z']);
  });

  it('never drifts from a Jan 31 anchor (leap year): Feb 29, Mar 31, Apr 30, ...', () => {
    const anchor = at('2024-01-31T10:00:00Z');
    const starts: string[] = [];
    let p = usagePeriod('MONTH', anchor, anchor);
    for (let i = 0; i < 14; i++) {
      starts.push(iso(p.start).slice(0, 10));
      p = usagePeriod('MONTH', anchor, p.end);
    }
    expect(starts).toEqual([
      '2024-01-31',
      '2024-02-29',
      '2024-03-31',
      '2024-04-30',
      '2024-05-31',
      '2024-06-30',
      '2024-07-31',
      '2024-08-31',
      '2024-09-30',
      '2024-10-31',
      '2024-11-30',
      '2024-12-31',
      '2025-01-31',
      '2025-02-28',
    ]);
  });

  it('never drifts from a Jan 31 anchor (common year): Feb 28 then back to Mar 31', () => {
    const anchor = at('2023-01-31T00:00:00Z');
    const p = usagePeriod('MONTH', anchor, at('2023-03-15T00:00:00Z'));
    expect([iso(p.start), iso(p.end)]).toEqual(['2023-02-28T00:00:00.000Z', '2023-03-31T00:00:00.000Z']);
    // Still the 31st years later, never the 28th.
    const later = usagePeriod('MONTH', anchor, at('2031-08-31T00:00:00Z'));
    expect(iso(later.start)).toBe('2031-08-31T00:00:00.000Z');
    expect(iso(later.end)).toBe('2031-09-30T00:00:00.000Z');
  });

  it('a Feb 29 yearly anchor gives Feb 28 in common years and Feb 29 again in leap years', () => {
    const anchor = at('2024-02-29T12:00:00Z');
    const boundaries: string[] = [];
    let p = usagePeriod('YEAR', anchor, anchor);
    for (let i = 0; i < 5; i++) {
      boundaries.push(iso(p.end).slice(0, 10));
      p = usagePeriod('YEAR', anchor, p.end);
    }
    expect(boundaries).toEqual(['2025-02-28', '2026-02-28', '2027-02-28', '2028-02-29', '2029-02-28']);
    expect(usagePeriod('YEAR', anchor, at('2028-02-29T11:59:59.999Z')).start).toBe(at('2027-02-28T12:00:00Z'));
    expect(usagePeriod('YEAR', anchor, at('2028-02-29T12:00:00Z')).start).toBe(at('2028-02-29T12:00:00Z'));
  });

  it('a Mar 30 monthly anchor goes through Feb 28/29 and back to the 30th', () => {
    const anchor = at('2023-03-30T00:00:00Z');
    expect(iso(usagePeriod('MONTH', anchor, at('2024-03-01T00:00:00Z')).start)).toBe('2024-02-29T00:00:00.000Z');
    expect(iso(usagePeriod('MONTH', anchor, at('2024-03-01T00:00:00Z')).end)).toBe('2024-03-30T00:00:00.000Z');
  });
});

/** `[start, end)` of a period as ISO strings, for examples read straight off the peers' tables. */
const span = (p: { start: number; end: number }) => [iso(p.start), iso(p.end)];

describe("interval counts (the peers' published examples)", () => {
  it('days × n: flexprice NextBillingDate daily cases', () => {
    // vidinfra/flexprice internal/types/date_test.go, TestNextBillingDate_Daily: "simple 10 days",
    // "cross month boundary", "cross year boundary", "leap year February", "non leap year February".
    const next = (anchor: string, n: number) => iso(usagePeriod('DAY', at(anchor), at(anchor), n).end);
    expect(next('2024-03-10T00:00:00Z', 10)).toBe('2024-03-20T00:00:00.000Z');
    expect(next('2024-03-31T00:00:00Z', 5)).toBe('2024-04-05T00:00:00.000Z');
    expect(next('2024-12-29T00:00:00Z', 5)).toBe('2025-01-03T00:00:00.000Z');
    expect(next('2024-02-27T00:00:00Z', 3)).toBe('2024-03-01T00:00:00.000Z');
    expect(next('2023-02-27T00:00:00Z', 3)).toBe('2023-03-02T00:00:00.000Z');
  });

  it('months × n: flexprice monthly cases, month ends clamped from the original anchor', () => {
    // flexprice date_test.go, TestNextBillingDate_Monthly: "cross year with month end" (Dec 31 + 2
    // months = Feb 28 2025) and "JST month-end consistency" (Jan 31 23:59:59 +09:00 + 2 = Mar 31).
    const dec31 = at('2024-12-31T00:00:00Z');
    expect(iso(usagePeriod('MONTH', dec31, dec31, 2).end)).toBe('2025-02-28T00:00:00.000Z');
    const jst = at('2024-01-31T23:59:59+09:00');
    expect(usagePeriod('MONTH', jst, jst, 2).end).toBe(at('2024-03-31T23:59:59+09:00'));
    // The boundary after a clamped one goes back to the anchor's day: Feb 28, then Apr 30, Jun 30, Aug 31.
    const ends: string[] = [];
    for (let p = usagePeriod('MONTH', dec31, dec31, 2); ends.length < 4; p = usagePeriod('MONTH', dec31, p.end, 2))
      ends.push(iso(p.end).slice(0, 10));
    expect(ends).toEqual(['2025-02-28', '2025-04-30', '2025-06-30', '2025-08-31']);
  });

  it('years × n: flexprice annual cases', () => {
    // flexprice date_test.go, TestNextBillingDate_Annual: "multiple years crossing leap years"
    // (Feb 29 2024 + 4 years = Feb 29 2028) and "JST preserving time across years" (+2 years).
    const leap = at('2024-02-29T00:00:00Z');
    expect(iso(usagePeriod('YEAR', leap, leap, 4).end)).toBe('2028-02-29T00:00:00.000Z');
    expect(iso(usagePeriod('YEAR', leap, leap, 1).end)).toBe('2025-02-28T00:00:00.000Z');
    const jst = at('2024-03-15T19:30:45+09:00');
    expect(usagePeriod('YEAR', jst, jst, 2).end).toBe(at('2026-03-15T19:30:45+09:00'));
  });

  it('Stripe interval=month, interval_count=3 bills every 3 months, keeping the anchor day', () => {
    // Stripe API, price.recurring.interval_count: "interval=month and interval_count=3 bills every 3
    // months"; billing cycle docs: a Jan 31 anchor bills on the last day of shorter months.
    const anchor = at('2025-01-31T10:00:00Z');
    const quarter = usagePeriod('MONTH', anchor, at('2025-06-15T00:00:00Z'), 3);
    expect(span(quarter)).toEqual(['2025-04-30T10:00:00.000Z', '2025-07-31T10:00:00.000Z']);
    expect(span(usagePeriod('MONTH', anchor, quarter.end, 3))).toEqual([
      '2025-07-31T10:00:00.000Z',
      '2025-10-31T10:00:00.000Z',
    ]);
  });

  it('Lago quarterly and semiannual intervals: every 3 and every 6 months from the anniversary', () => {
    // getlago.com docs, plan model: "Quarterly ... (every 3 months)", "Semiannual ... (every 6
    // months)"; changelog "anniversary date": a plan assigned on August 10th bills every 10th.
    const aug10 = at('2024-08-10T00:00:00Z');
    expect(span(usagePeriod('MONTH', aug10, at('2025-01-01T00:00:00Z'), 3))).toEqual([
      '2024-11-10T00:00:00.000Z',
      '2025-02-10T00:00:00.000Z',
    ]);
    expect(span(usagePeriod('MONTH', aug10, at('2025-01-01T00:00:00Z'), 6))).toEqual([
      '2024-08-10T00:00:00.000Z',
      '2025-02-10T00:00:00.000Z',
    ]);
  });

  it('OpenMeter P2W: every two weeks from the anchor', () => {
    const anchor = at('2024-01-01T00:00:00Z'); // a Monday
    expect(span(usagePeriod('WEEK', anchor, at('2024-01-20T00:00:00Z'), 2))).toEqual([
      '2024-01-15T00:00:00.000Z',
      '2024-01-29T00:00:00.000Z',
    ]);
    expect(span(usagePeriod('HOUR', anchor, at('2024-01-01T13:00:00Z'), 6))).toEqual([
      '2024-01-01T12:00:00.000Z',
      '2024-01-01T18:00:00.000Z',
    ]);
  });

  it('1 is the default and the same as no count; a count out of 1..1000 is refused', () => {
    const anchor = at('2024-01-31T00:00:00Z');
    const now = at('2024-05-02T00:00:00Z');
    expect(usagePeriod('MONTH', anchor, now, 1)).toEqual(usagePeriod('MONTH', anchor, now));
    for (const bad of [0, -1, 1.5, 1001, Number.NaN])
      expectAllotError(() => usagePeriod('MONTH', anchor, now, bad), 'INVALID_INPUT');
    expect(usagePeriod('YEAR', anchor, now, 1000).end).toBe(at('3024-01-31T00:00:00Z'));
  });
});

describe('anchors after now (the grid extends backwards)', () => {
  it('OpenMeter recurrence: the period containing t when the anchor is in the future', () => {
    // openmeterio/openmeter pkg/timeutil/recurrence_test.go, TestPrevBefore: "Should return prev if
    // anchor is in the future" (daily, anchor now + 1 day, t = now + 1h: previous boundary now) and
    // "Should work with weeks" (weekly, anchor now + 1 day, t = now: previous boundary now − 6 days).
    const now = at('2024-01-01T00:00:00Z');
    expect(usagePeriod('DAY', now + DAY, now + HOUR)).toEqual({ anchor: now + DAY, start: now, end: now + DAY });
    expect(usagePeriod('WEEK', now + DAY, now)).toEqual({ anchor: now + DAY, start: now - 6 * DAY, end: now + DAY });
  });

  it('OpenMeter recurrence: variable month lengths from a Jan 30/31 anchor', () => {
    // recurrence_test.go, TestGetPeriodAt: "Correctly handles variable length months" and
    // "... t being at the end of the period (we are exclusive at the end)".
    const jan31 = at('2025-01-31T15:00:00Z');
    expect(span(usagePeriod('MONTH', jan31, at('2025-08-13T20:00:00Z')))).toEqual([
      '2025-07-31T15:00:00.000Z',
      '2025-08-31T15:00:00.000Z',
    ]);
    expect(span(usagePeriod('MONTH', jan31, at('2025-09-30T15:00:00Z')))).toEqual([
      '2025-09-30T15:00:00.000Z',
      '2025-10-31T15:00:00.000Z',
    ]);
    expect(span(usagePeriod('MONTH', at('2025-01-30T15:00:00Z'), at('2025-02-13T20:00:00Z')))).toEqual([
      '2025-01-30T15:00:00.000Z',
      '2025-02-28T15:00:00.000Z',
    ]);
  });

  it('the period before a future anchor ends on it, and the ones before that end where those begin', () => {
    const anchor = at('2025-05-31T00:00:00Z');
    const p = usagePeriod('MONTH', anchor, at('2025-03-10T00:00:00Z'), 2);
    // Backwards from May 31 in steps of 2 months: Mar 31, Jan 31 (each anchor − k × 2 months, clamped).
    expect(span(p)).toEqual(['2025-01-31T00:00:00.000Z', '2025-03-31T00:00:00.000Z']);
    expect(usagePeriod('MONTH', anchor, anchor - 1, 2)).toMatchObject({
      start: at('2025-03-31T00:00:00Z'),
      end: anchor,
    });
  });
});

describe('addMonthsUtc', () => {
  it('clamps to the month end and keeps the time of day in UTC', () => {
    expect(iso(addMonthsUtc(at('2024-01-31T23:30:00Z'), 1))).toBe('2024-02-29T23:30:00.000Z');
    expect(iso(addMonthsUtc(at('2023-01-31T23:30:00Z'), 1))).toBe('2023-02-28T23:30:00.000Z');
    expect(iso(addMonthsUtc(at('2024-01-31T00:00:00Z'), 2))).toBe('2024-03-31T00:00:00.000Z');
    expect(iso(addMonthsUtc(at('2024-03-31T00:00:00Z'), -1))).toBe('2024-02-29T00:00:00.000Z');
    expect(iso(addMonthsUtc(at('2024-12-15T05:00:00Z'), 1))).toBe('2025-01-15T05:00:00.000Z');
    expect(addMonthsUtc(at('2024-12-15T05:00:00Z'), 0)).toBe(at('2024-12-15T05:00:00Z'));
  });
});

describe('periodAnchor', () => {
  // 2024-03-15 is a Friday.
  const friday = at('2024-03-15T12:34:56Z');

  it('StartOfTheMonth is the 1st at 00:00 UTC of the start month', () => {
    expect(iso(periodAnchor('MONTH', 'StartOfTheMonth', friday))).toBe('2024-03-01T00:00:00.000Z');
    expect(iso(periodAnchor('MONTH', 'StartOfTheMonth', at('2024-03-31T23:59:59.999Z')))).toBe(
      '2024-03-01T00:00:00.000Z',
    );
    expect(periodAnchor('MONTH', 'StartOfTheMonth', at('2024-03-01T00:00:00Z'))).toBe(at('2024-03-01T00:00:00Z'));
  });

  it('EveryMonday..EverySunday is that weekday at 00:00 UTC on or before the start', () => {
    const expected: Record<(typeof WEEKDAYS)[number], string> = {
      EveryMonday: '2024-03-11',
      EveryTuesday: '2024-03-12',
      EveryWednesday: '2024-03-13',
      EveryThursday: '2024-03-14',
      EveryFriday: '2024-03-15',
      EverySaturday: '2024-03-09',
      EverySunday: '2024-03-10',
    };
    for (const day of WEEKDAYS) expect(iso(periodAnchor('WEEK', day, friday))).toBe(`${expected[day]}T00:00:00.000Z`);
  });

  it('a start exactly at that weekday midnight is its own anchor', () => {
    expect(periodAnchor('WEEK', 'EveryMonday', at('2024-03-11T00:00:00Z'))).toBe(at('2024-03-11T00:00:00Z'));
    expect(periodAnchor('WEEK', 'EveryMonday', at('2024-03-10T23:59:59.999Z'))).toBe(at('2024-03-04T00:00:00Z'));
  });

  it('works before 1970 (negative epoch ms)', () => {
    // 1969-12-31 was a Wednesday.
    expect(iso(periodAnchor('WEEK', 'EveryMonday', at('1969-12-31T18:00:00Z')))).toBe('1969-12-29T00:00:00.000Z');
    expect(iso(periodAnchor('MONTH', 'StartOfTheMonth', at('1969-12-31T18:00:00Z')))).toBe('1969-12-01T00:00:00.000Z');
  });

  it('SubscriptionStart, no configuration, HOUR and DAY anchor on the start itself', () => {
    expect(periodAnchor('MONTH', 'SubscriptionStart', friday)).toBe(friday);
    expect(periodAnchor('MONTH', null, friday)).toBe(friday);
    expect(periodAnchor('WEEK', 'SubscriptionStart', friday)).toBe(friday);
    expect(periodAnchor('WEEK', null, friday)).toBe(friday);
    expect(periodAnchor('YEAR', 'SubscriptionStart', friday)).toBe(friday);
    expect(periodAnchor('HOUR', null, friday)).toBe(friday);
    expect(periodAnchor('DAY', null, friday)).toBe(friday);
  });

  it('a configuration that belongs to another period does not move the anchor', () => {
    expect(periodAnchor('WEEK', 'StartOfTheMonth', friday)).toBe(friday);
    expect(periodAnchor('MONTH', 'EveryMonday', friday)).toBe(friday);
  });
});

describe('time zone independence', () => {
  const original = process.env.TZ;
  afterEach(() => {
    if (original === undefined) delete process.env.TZ;
    else process.env.TZ = original;
  });

  function compute(samples: readonly { p: EntitlementResetPeriod; anchor: number; now: number }[]) {
    return samples.map(({ p, anchor, now }) => ({
      period: usagePeriod(p, anchor, now),
      threeOf: usagePeriod(p, anchor, now, 3),
      plus1: addMonthsUtc(anchor, 1),
      month: periodAnchor('MONTH', 'StartOfTheMonth', anchor),
      monday: periodAnchor('WEEK', 'EveryMonday', anchor),
      sunday: periodAnchor('WEEK', 'EverySunday', now),
    }));
  }

  it('gives identical results whatever process.env.TZ is (the change demonstrably takes effect in Node)', () => {
    const samples = fc.sample(fc.record({ p: period, anchor: instant, now: instant }), {
      numRuns: 300,
      seed: Number(process.env.FC_SEED ?? 20261121),
    });
    samples.push(
      { p: 'MONTH', anchor: at('2024-01-31T23:30:00Z'), now: at('2024-03-31T00:15:00Z') },
      { p: 'MONTH', anchor: at('2024-03-31T11:00:00Z'), now: at('2024-04-01T10:00:00Z') },
      { p: 'WEEK', anchor: at('2024-03-10T00:00:00Z'), now: at('2024-11-03T06:30:00Z') },
    );
    process.env.TZ = 'UTC';
    const utcOffset = new Date(at('2024-01-15T00:00:00Z')).getTimezoneOffset();
    const reference = compute(samples);
    for (const zone of ['Pacific/Chatham', 'America/New_York', 'Asia/Kolkata']) {
      process.env.TZ = zone;
      // Proof that the zone switch is live in this process; otherwise the comparison would be vacuous.
      expect(new Date(at('2024-01-15T00:00:00Z')).getTimezoneOffset()).not.toBe(utcOffset);
      expect(compute(samples)).toEqual(reference);
    }
  });
});

describe('properties', () => {
  it('addMonthsUtc matches the calendar oracle (day clamped, time of day kept)', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: -600, max: 600 }), (anchor, k) => {
        expect(addMonthsUtc(anchor, k)).toBe(oracleAddMonths(anchor, k));
      }),
    );
  });

  it('start <= now < end for every period, anchor and now (now before the anchor included)', () => {
    fc.assert(
      fc.property(period, instant, instant, (p, anchor, now) => {
        const r = usagePeriod(p, anchor, now);
        expect(r.anchor).toBe(anchor);
        expect(r.start).toBeLessThanOrEqual(now);
        expect(now).toBeLessThan(r.end);
      }),
    );
  });

  it('periods are contiguous: the next starts at end, the previous ends at start', () => {
    fc.assert(
      fc.property(period, instant, instant, (p, anchor, now) => {
        const r = usagePeriod(p, anchor, now);
        const next = usagePeriod(p, anchor, r.end);
        const prev = usagePeriod(p, anchor, r.start - 1);
        expect(next.start).toBe(r.end);
        expect(prev.end).toBe(r.start);
        // The whole period is one period: its last instant maps back to it.
        expect(usagePeriod(p, anchor, r.end - 1)).toEqual(r);
        expect(usagePeriod(p, anchor, r.start)).toEqual(r);
      }),
    );
  });

  it('every boundary is anchor + n × interval counted from the original anchor', () => {
    fc.assert(
      fc.property(period, instant, instant, (p, anchor, now) => {
        const r = usagePeriod(p, anchor, now);
        const fixed = FIXED[p];
        if (fixed !== undefined) {
          expect((r.start - anchor) % fixed === 0).toBe(true);
          expect(r.end - r.start).toBe(fixed);
          return;
        }
        const step = STEP_MONTHS[p] ?? 0;
        const months = monthDiff(anchor, r.start);
        expect(Math.abs(months % step)).toBe(0);
        expect(r.start).toBe(oracleAddMonths(anchor, months));
        expect(r.end).toBe(oracleAddMonths(anchor, months + step));
        expect(r.start).toBe(addMonthsUtc(anchor, months));
      }),
    );
  });

  it('with any interval count and anchor (before or after now): start <= now < end, contiguous, one span long', () => {
    fc.assert(
      fc.property(period, count, instant, instant, (p, n, anchor, now) => {
        const r = usagePeriod(p, anchor, now, n);
        expect(r.anchor).toBe(anchor);
        expect(r.start).toBeLessThanOrEqual(now);
        expect(now).toBeLessThan(r.end);
        expect(usagePeriod(p, anchor, r.end, n).start).toBe(r.end);
        expect(usagePeriod(p, anchor, r.start - 1, n).end).toBe(r.start);
        expect(usagePeriod(p, anchor, r.end - 1, n)).toEqual(r);
      }),
    );
  });

  it('with an interval count every boundary is anchor + k × count × interval from the original anchor', () => {
    fc.assert(
      fc.property(period, count, instant, instant, (p, n, anchor, now) => {
        const r = usagePeriod(p, anchor, now, n);
        const fixed = FIXED[p];
        if (fixed !== undefined) {
          expect((r.start - anchor) % (fixed * n) === 0).toBe(true);
          expect(r.end - r.start).toBe(fixed * n);
          return;
        }
        const step = (STEP_MONTHS[p] ?? 0) * n;
        const months = monthDiff(anchor, r.start);
        expect(Math.abs(months % step)).toBe(0);
        expect(r.start).toBe(oracleAddMonths(anchor, months));
        expect(r.end).toBe(oracleAddMonths(anchor, months + step));
      }),
    );
  });

  it('a count-n period is the union of n one-interval periods of the same grid', () => {
    fc.assert(
      fc.property(period, fc.integer({ min: 1, max: 12 }), instant, instant, (p, n, anchor, now) => {
        const r = usagePeriod(p, anchor, now, n);
        let t = r.start;
        for (let i = 0; i < n; i++) {
          const one = usagePeriod(p, anchor, t);
          expect(one.start).toBe(t);
          t = one.end;
        }
        expect(t).toBe(r.end);
      }),
    );
  });

  it('an anchor after now: the period containing the instant just before the anchor ends on it', () => {
    fc.assert(
      fc.property(period, count, instant, (p, n, anchor) => {
        expect(usagePeriod(p, anchor, anchor - 1, n).end).toBe(anchor);
        expect(usagePeriod(p, anchor, anchor, n).start).toBe(anchor);
      }),
    );
  });

  it('month boundaries keep the anchor day, clamped to the month length (no drift)', () => {
    fc.assert(
      fc.property(fc.constantFrom<EntitlementResetPeriod>('MONTH', 'YEAR'), instant, instant, (p, anchor, now) => {
        const r = usagePeriod(p, anchor, now);
        const anchorDay = new Date(anchor).getUTCDate();
        for (const boundary of [r.start, r.end]) {
          const d = new Date(boundary);
          expect(d.getUTCDate()).toBe(Math.min(anchorDay, daysInMonth(d.getUTCFullYear(), d.getUTCMonth())));
          expect(boundary - Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())).toBe(
            anchor - Date.UTC(new Date(anchor).getUTCFullYear(), new Date(anchor).getUTCMonth(), anchorDay),
          );
        }
      }),
    );
  });

  it('periodAnchor StartOfTheMonth is the 1st 00:00 UTC of the same UTC month', () => {
    fc.assert(
      fc.property(instant, (start) => {
        const a = periodAnchor('MONTH', 'StartOfTheMonth', start);
        const d = new Date(a);
        const s = new Date(start);
        expect(a).toBe(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
        expect([d.getUTCFullYear(), d.getUTCMonth()]).toEqual([s.getUTCFullYear(), s.getUTCMonth()]);
        expect(a).toBeLessThanOrEqual(start);
      }),
    );
  });

  it('periodAnchor EveryX is that weekday at 00:00 UTC, on or before the start, within 7 days', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 6 }), (start, weekday) => {
        const name = WEEKDAYS[weekday] ?? 'EverySunday';
        const a = periodAnchor('WEEK', name, start);
        expect(new Date(a).getUTCDay()).toBe(weekday);
        expect(((a % DAY) + DAY) % DAY).toBe(0);
        expect(a).toBeLessThanOrEqual(start);
        expect(start - a).toBeLessThan(7 * DAY);
      }),
    );
  });

  it('periods anchored on a weekday start on that weekday at midnight', () => {
    fc.assert(
      fc.property(instant, instant, fc.integer({ min: 0, max: 6 }), (start, now, weekday) => {
        const anchor = periodAnchor('WEEK', WEEKDAYS[weekday] ?? 'EverySunday', start);
        const r = usagePeriod('WEEK', anchor, now);
        expect(new Date(r.start).getUTCDay()).toBe(weekday);
        expect(((r.start % DAY) + DAY) % DAY).toBe(0);
      }),
    );
  });
});
