import { describe, expect, it } from 'vitest';
import { type CouponInput, couponListSchema, couponSchema } from '../../src/catalog/coupon-schema.js';
import { at, fc } from '../pricing/helpers.js';

const percent: CouponInput = { id: 'half', name: 'Half off', type: 'PERCENTAGE', percentOff: 50 };
const fixed: CouponInput = {
  id: 'five',
  name: 'Five off',
  type: 'FIXED',
  amountsOff: [{ amount: 5, currency: 'usd' }],
};
const messages = (input: unknown, schema: typeof couponSchema | typeof couponListSchema = couponSchema) =>
  schema.safeParse(input).error?.issues.map((i) => i.message) ?? [];

describe('couponSchema', () => {
  it('fills the reference defaults: FOREVER, ACTIVE, no promotion codes', () => {
    expect(couponSchema.parse(percent)).toEqual({
      ...percent,
      percentOff: '50',
      durationType: 'FOREVER',
      status: 'ACTIVE',
      promotionCodes: [],
    });
  });

  it('keeps amounts off as decimal strings in upper-case currencies', () => {
    expect(couponSchema.parse(fixed).amountsOff).toEqual([{ amount: '5', currency: 'USD' }]);
  });

  it('parses promotion codes with their restrictions', () => {
    const coupon = couponSchema.parse({
      ...percent,
      promotionCodes: [{ code: 'STIGG50', expiresAt: '2025-01-01T00:00:00Z' }, { code: 'X' }],
    });
    expect(coupon.promotionCodes).toEqual([
      { code: 'STIGG50', active: true, expiresAt: at('2025-01-01T00:00:00Z') },
      { code: 'X', active: true },
    ]);
  });

  it('matches the value fields to the type', () => {
    expect(messages({ ...percent, percentOff: undefined })).toContain('a PERCENTAGE coupon needs percentOff');
    expect(messages({ ...percent, amountsOff: [{ amount: 1, currency: 'USD' }] })).toContain(
      'a PERCENTAGE coupon takes percentOff, not amountsOff',
    );
    expect(messages({ ...fixed, amountsOff: undefined })).toContain('a FIXED coupon needs amountsOff');
    expect(messages({ ...fixed, percentOff: 10 })).toContain('a FIXED coupon takes amountsOff, not percentOff');
    expect(
      messages({
        ...fixed,
        amountsOff: [
          { amount: 1, currency: 'usd' },
          { amount: 2, currency: 'USD' },
        ],
      }),
    ).toContain('one amount per currency');
  });

  it('refuses a percentage of 0 or above 100', () => {
    expect(couponSchema.safeParse({ ...percent, percentOff: 0 }).success).toBe(false);
    expect(couponSchema.safeParse({ ...percent, percentOff: 100.5 }).success).toBe(false);
    expect(couponSchema.safeParse({ ...percent, percentOff: '12.5' }).success).toBe(true);
  });

  it('asks for durationInMonths exactly when REPEATING', () => {
    expect(messages({ ...percent, durationType: 'REPEATING' })).toContain('a REPEATING coupon needs durationInMonths');
    expect(messages({ ...percent, durationType: 'ONCE', durationInMonths: 2 })).toContain(
      'a ONCE coupon has no durationInMonths',
    );
    expect(couponSchema.safeParse({ ...percent, durationType: 'REPEATING', durationInMonths: 3 }).success).toBe(true);
  });

  it('refuses codes with spaces and expiry dates without a zone', () => {
    expect(couponSchema.safeParse({ ...percent, promotionCodes: [{ code: 'A B' }] }).success).toBe(false);
    expect(
      couponSchema.safeParse({ ...percent, promotionCodes: [{ code: 'A', expiresAt: '2025-01-01T00:00:00' }] }).success,
    ).toBe(false);
  });
});

describe('couponListSchema', () => {
  it('refuses a repeated coupon id and a promotion code used twice, case-insensitively', () => {
    expect(messages([percent, percent], couponListSchema)).toContain('coupon "half" is listed twice');
    const list = [
      { ...percent, promotionCodes: [{ code: 'SAVE' }] },
      { ...fixed, promotionCodes: [{ code: 'save' }] },
    ];
    expect(messages(list, couponListSchema)).toEqual(['promotion code "save" is used twice']);
  });
});

describe('properties', () => {
  it('every valid percentage in (0, 100] parses and round-trips as a decimal string', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (basisPoints) => {
        const pct = (basisPoints / 100).toString();
        expect(couponSchema.parse({ ...percent, percentOff: pct }).percentOff).toBe(pct);
      }),
    );
  });
});
