import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/index.js';
import { harness, stores } from '../helpers/fixtures.js';

describe('getProducts', () => {
  it('lists the catalog products with their downgrade plans', async () => {
    const [memory] = stores;
    if (!memory) throw new Error('memory store fixture missing');
    const h = await harness(memory);
    try {
      expect(await h.allot.getProducts()).toEqual([
        {
          id: 'app',
          displayName: 'App',
          description: null,
          metadata: {},
          downgradePlan: { id: 'free', displayName: 'Free' },
          multipleSubscriptions: false,
        },
        {
          id: 'storage',
          displayName: null,
          description: null,
          metadata: {},
          downgradePlan: null,
          multipleSubscriptions: true,
        },
      ]);
    } finally {
      await h.close();
    }
  });
});

describe('ManualClock', () => {
  it('moves by milliseconds and by calendar steps in UTC, clamping month ends', () => {
    const clock = new ManualClock('2024-01-31T12:00:00Z');
    expect(clock.advance({ months: 1 }).toISOString()).toBe('2024-02-29T12:00:00.000Z');
    expect(clock.advance({ years: 1, days: 1, hours: 2 }).toISOString()).toBe('2025-03-01T14:00:00.000Z');
    expect(clock.advance(500).toISOString()).toBe('2025-03-01T14:00:00.500Z');
    clock.set(new Date('2020-01-01T00:00:00Z'));
    expect(clock.now()).toBe(Date.UTC(2020, 0, 1));
  });

  it('rejects an invalid instant with INVALID_INPUT', () => {
    expect(() => new ManualClock('not a date')).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT' }));
    const clock = new ManualClock();
    expect(() => clock.set(Number.NaN)).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
