// Every schema here is z.lazy, built on its first parse, so importing allot builds none.
import { z } from 'zod';
import { enumValues } from '../model/enums.js';
import { id } from '../model/id-schema.js';
import { currencyCode, decimalAmount } from '../money/amount-schema.js';

/** The reference's `CouponType`. */
export const CouponType = { Fixed: 'FIXED', Percentage: 'PERCENTAGE' } as const;
export type CouponType = (typeof CouponType)[keyof typeof CouponType];

/** The reference's `DiscountType` of an estimate's discount: the coupon's type. */
export const DiscountType = CouponType;
export type DiscountType = CouponType;

/** The reference's `DiscountDurationType`: how many billing periods a coupon discounts. */
export const DiscountDurationType = { Forever: 'FOREVER', Once: 'ONCE', Repeating: 'REPEATING' } as const;
export type DiscountDurationType = (typeof DiscountDurationType)[keyof typeof DiscountDurationType];

/** The reference's `CouponStatus`: an archived coupon stays on the customers that have it. */
export const CouponStatus = { Active: 'ACTIVE', Archived: 'ARCHIVED' } as const;
export type CouponStatus = (typeof CouponStatus)[keyof typeof CouponStatus];

/** An instant in the catalog, as an ISO string with its zone or epoch ms; parsed to epoch ms. */
const catalogInstant = z.lazy(() =>
  z
    .union([z.iso.datetime({ offset: true }), z.number().int()])
    .transform((v) => (typeof v === 'string' ? Date.parse(v) : v)),
);

/**
 * A customer-facing code that applies its coupon; case-insensitive. Inactive, expired
 * (`expiresAt` reached) codes are refused. There is no redemption limit: allot keeps no
 * redemption count, and a limit it could not enforce would mislead.
 */
export const promotionCodeSchema = z.lazy(() =>
  z.strictObject({
    code: z.string().regex(/^\S{1,255}$/, 'a code of 1–255 characters without spaces'),
    active: z.boolean().default(true),
    expiresAt: catalogInstant.optional(),
    metadata: z.record(z.string(), z.string()).optional(),
  }),
);

const percentOff = z.lazy(() =>
  decimalAmount.refine((p) => Number(p) > 0 && Number(p) <= 100, 'a percentage above 0, at most 100'),
);

/**
 * A catalog coupon: PERCENTAGE (`percentOff`) or FIXED (`amountsOff`, one amount per currency),
 * discounting FOREVER, ONCE (the first billing period) or REPEATING (`durationInMonths`).
 *
 * @example couponSchema.parse({ id: 'half', name: 'Half off', type: 'PERCENTAGE', percentOff: 50,
 *   durationType: 'REPEATING', durationInMonths: 3, promotionCodes: [{ code: 'STIGG50' }] })
 */
export const couponSchema = z.lazy(() =>
  z
    .strictObject({
      id,
      name: z.string().min(1),
      description: z.string().nullish(),
      type: z.enum(enumValues(CouponType)),
      percentOff: percentOff.optional(),
      amountsOff: z
        .array(z.strictObject({ amount: decimalAmount, currency: currencyCode }))
        .min(1)
        .optional(),
      durationType: z.enum(enumValues(DiscountDurationType)).default('FOREVER'),
      durationInMonths: z.number().int().positive().optional(),
      status: z.enum(enumValues(CouponStatus)).default('ACTIVE'),
      metadata: z.record(z.string(), z.string()).nullish(),
      promotionCodes: z.array(promotionCodeSchema).default([]),
      /**
       * A ONCE FIXED coupon whose amount exceeds a period's charge keeps the rest for the next
       * periods until it is used up (Lago's `once` fixed-amount coupons); absent, the rest is lost.
       */
      carryRemainder: z.boolean().optional(),
    })
    .superRefine((coupon, ctx) => {
      const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
      if (coupon.type === 'PERCENTAGE') {
        if (coupon.percentOff === undefined) issue('percentOff', 'a PERCENTAGE coupon needs percentOff');
        if (coupon.amountsOff) issue('amountsOff', 'a PERCENTAGE coupon takes percentOff, not amountsOff');
      } else {
        if (!coupon.amountsOff) issue('amountsOff', 'a FIXED coupon needs amountsOff');
        if (coupon.percentOff !== undefined) issue('percentOff', 'a FIXED coupon takes amountsOff, not percentOff');
        const currencies = coupon.amountsOff?.map((a) => a.currency) ?? [];
        if (new Set(currencies).size !== currencies.length) issue('amountsOff', 'one amount per currency');
      }
      if (coupon.durationType === 'REPEATING' && coupon.durationInMonths === undefined)
        issue('durationInMonths', 'a REPEATING coupon needs durationInMonths');
      if (coupon.carryRemainder !== undefined && (coupon.type !== 'FIXED' || coupon.durationType !== 'ONCE'))
        issue('carryRemainder', 'only a ONCE FIXED coupon carries what a period did not use');
      if (coupon.durationType !== 'REPEATING' && coupon.durationInMonths !== undefined)
        issue('durationInMonths', `a ${coupon.durationType} coupon has no durationInMonths`);
    }),
);

/**
 * The catalog's coupons: unique ids, and every promotion code unique across all coupons
 * (case-insensitively), so that a code names one coupon.
 */
export const couponListSchema = z.lazy(() =>
  z.array(couponSchema).superRefine((coupons, ctx) => {
    const ids = new Set<string>();
    const codes = new Set<string>();
    coupons.forEach((coupon, i) => {
      if (ids.has(coupon.id))
        ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `coupon "${coupon.id}" is listed twice` });
      ids.add(coupon.id);
      coupon.promotionCodes.forEach((promo, j) => {
        const key = promo.code.toUpperCase();
        if (codes.has(key))
          ctx.addIssue({
            code: 'custom',
            path: [i, 'promotionCodes', j, 'code'],
            message: `promotion code "${promo.code}" is used twice`,
          });
        codes.add(key);
      });
    });
  }),
);

export type CouponInput = z.input<typeof couponSchema>;
export type Coupon = z.output<typeof couponSchema>;
export type PromotionCode = z.output<typeof promotionCodeSchema>;
