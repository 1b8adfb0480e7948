import { describe, expect, it } from 'vitest';
import {
  boundaryAfter,
  boundaryFrom,
  type Recurrence,
  recurrencePeriod,
  requireRecurrence,
} from '../../src/credits/recurrence.js';
import type { EntitlementResetPeriod } from '../../src/model/enums.js';
import { MAX_INTERVAL_COUNT } from '../../src/model/interval-count.js';
import { at, DAY, expectAllotError, fc } from './helpers.js';

const HOUR = 3_600_000;
const INTERVALS: readonly EntitlementResetPeriod[] = ['HOUR', 'DAY', 'WEEK', 'MONTH', 'YEAR'];

/** An independent oracle: `anchor` plus `k` calendar months in UTC, the day clamped to the month's length. */
function addMonths(anchor: number, k: number): number {
  const a = new Date(anchor);
  const index = a.getUTCFullYear() * 12 + a.getUTCMonth() + k;
  const year = Math.floor(index / 12);
  const month = index - year * 12;
  const day = Math.min(a.getUTCDate(), new Date(Date.UTC(year, month + 1, 0)).getUTCDate());
  return Date.UTC(year, month, day) + (anchor - Date.UTC(a.getUTCFullYear(), a.getUTCMonth(), a.getUTCDate()));
}

/** The k-th boundary of `r`, from the definition: anchor + k × count × interval. */
function boundary(r: Recurrence, k: number): number {
  const steps = k * r.intervalCount;
  switch (r.interval) {
    case 'HOUR':
      return r.anchor + steps * HOUR;
    case 'DAY':
      return r.anchor + steps * DAY;
    case 'WEEK':
      return r.anchor + steps * 7 * DAY;
    case 'MONTH':
      return addMonths(r.anchor, steps);
    default:
      return addMonths(r.anchor, steps * 12);
  }
}

const instant = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2060, 0, 1) });
const recurrence = fc.record({
  interval: fc.constantFrom(...INTERVALS),
  intervalCount: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 40 })),
  anchor: fc.oneof(
    instant,
    // Month ends and leap days, where clamping shows.
    fc.constantFrom(at('2024-01-31T10:00:00Z'), at('2024-02-29T00:00:00Z'), at('2025-03-31T23:59:59Z')),
  ),
});

describe('recurrencePeriod', () => {
  it('counts every boundary from the original anchor: a Jan 31 anchor every 2 months gives Mar 31, May 31', () => {
    const r: Recurrence = { interval: 'MONTH', intervalCount: 2, anchor: at('2025-01-31T00:00:00Z') };
    expect(recurrencePeriod(r, at('2025-03-01T00:00:00Z'))).toEqual({
      start: at('2025-01-31T00:00:00Z'),
      end: at('2025-03-31T00:00:00Z'),
    });
    expect(recurrencePeriod(r, at('2025-04-15T00:00:00Z'))).toMatchObject({
      start: at('2025-03-31T00:00:00Z'),
      end: at('2025-05-31T00:00:00Z'),
    });
    // Every 3 months from Nov 30: Feb 28, then May 30 (not the 28th).
    const q: Recurrence = { interval: 'MONTH', intervalCount: 3, anchor: at('2024-11-30T12:00:00Z') };
    expect(recurrencePeriod(q, at('2025-03-10T00:00:00Z'))).toMatchObject({
      start: at('2025-02-28T12:00:00Z'),
      end: at('2025-05-30T12:00:00Z'),
    });
  });

  it('extends the grid backwards from an anchor after the instant: the period before it ends on it', () => {
    const r: Recurrence = { interval: 'WEEK', intervalCount: 2, anchor: at('2025-06-01T00:00:00Z') };
    expect(recurrencePeriod(r, at('2025-05-20T00:00:00Z'))).toMatchObject({
      start: at('2025-05-18T00:00:00Z'),
      end: at('2025-06-01T00:00:00Z'),
    });
    const hours: Recurrence = { interval: 'HOUR', intervalCount: 6, anchor: at('2025-01-02T00:00:00Z') };
    expect(recurrencePeriod(hours, at('2025-01-01T19:00:00Z'))).toMatchObject({
      start: at('2025-01-01T18:00:00Z'),
      end: at('2025-01-02T00:00:00Z'),
    });
  });

  describe('properties', () => {
    it('a period contains the instant, and its ends are consecutive boundaries anchor + k × count × interval', () => {
      fc.assert(
        fc.property(recurrence, instant, (r, t) => {
          const { start, end } = recurrencePeriod(r, t);
          expect(start <= t && t < end).toBe(true);
          // Find k from the start by the definition (k may be negative).
          const span = boundary(r, 1) - boundary(r, 0);
          let k = Math.floor((start - r.anchor) / span);
          while (boundary(r, k) > start) k--;
          while (boundary(r, k) < start) k++;
          expect(boundary(r, k)).toBe(start);
          expect(boundary(r, k + 1)).toBe(end);
        }),
      );
    });

    it('periods are contiguous: the next period starts where this one ends', () => {
      fc.assert(
        fc.property(recurrence, instant, (r, t) => {
          const { start, end } = recurrencePeriod(r, t);
          expect(recurrencePeriod(r, end).start).toBe(end);
          expect(recurrencePeriod(r, start - 1).end).toBe(start);
          expect(boundaryAfter(r, t)).toBe(end);
          expect(boundaryFrom(r, t)).toBe(start === t ? t : end);
          expect(boundaryFrom(r, start)).toBe(start);
        }),
      );
    });
  });
});

describe('requireRecurrence', () => {
  it('accepts every interval and counts from 1 to the bound', () => {
    const anchor = at('2025-01-01T00:00:00Z');
    expect(requireRecurrence({ interval: 'YEAR', intervalCount: MAX_INTERVAL_COUNT, anchor })).toEqual({
      interval: 'YEAR',
      intervalCount: MAX_INTERVAL_COUNT,
      anchor,
    });
  });

  it.each([
    [{ interval: 'FORTNIGHT', intervalCount: 1, anchor: 0 }],
    [{ interval: 'DAY', intervalCount: 0, anchor: 0 }],
    [{ interval: 'DAY', intervalCount: 1.5, anchor: 0 }],
    [{ interval: 'DAY', intervalCount: MAX_INTERVAL_COUNT + 1, anchor: 0 }],
    [{ interval: 'DAY', intervalCount: 1, anchor: Number.NaN }],
  ])('refuses %j with INVALID_INPUT', (value) => {
    expectAllotError(() => requireRecurrence(value as Recurrence), 'INVALID_INPUT');
  });
});
