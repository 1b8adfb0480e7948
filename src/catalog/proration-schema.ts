// How changes, first periods and first credit grants are prorated: a catalog-wide default that a
// plan may override, as billing providers set it per account or per plan.
import { z } from 'zod';

/** The proration conventions (see `ProrationConvention` in proration/remaining-fraction.ts). */
export const PRORATION_CONVENTIONS = [
  'SECOND',
  'ACTUAL_DAYS',
  'ACTUAL_DAYS_CHANGE_DAY_TO_BOTH',
  'THIRTY_DAY_MONTH',
  'THIRTY_360',
  'TWENTY_EIGHT_DAY_MONTH',
] as const;

export const prorationConventionSchema = z.lazy(() => z.enum(PRORATION_CONVENTIONS));

/** Proration settings; each one left out takes the catalog's, then the default. */
export const prorationSettingsSchema = z.lazy(() =>
  z.strictObject({
    /** How unused time is measured: SECOND (default), ACTUAL_DAYS, ... */
    convention: prorationConventionSchema.optional(),
    /** New subscriptions bill on this day of the month (1-31, 00:00 UTC) rather than on their start day. */
    billingCycleDay: z.number().int().min(1).max(31).optional(),
    /** A change of billing period (monthly → annual) starts a new cycle at the change (RESET, default) or KEEPs the anchor. */
    billingAnchorOnPeriodChange: z.enum(['RESET', 'KEEP']).optional(),
    /** A first period shorter than a whole one (a start off the anchor) is PRORATED (default) or FREE. */
    firstPartialPeriod: z.enum(['PRORATED', 'FREE']).optional(),
    /** The first recurring credit grant of a subscription starting off its anchor is granted in FULL (default) or PRORATED. */
    firstRecurringCreditGrant: z.enum(['FULL', 'PRORATED']).optional(),
  }),
);

export type ProrationSettings = z.output<typeof prorationSettingsSchema>;

/** Proration settings with every default filled in. */
export interface ResolvedProration {
  readonly convention: (typeof PRORATION_CONVENTIONS)[number];
  readonly billingCycleDay: number | undefined;
  readonly billingAnchorOnPeriodChange: 'RESET' | 'KEEP';
  readonly firstPartialPeriod: 'PRORATED' | 'FREE';
  readonly firstRecurringCreditGrant: 'FULL' | 'PRORATED';
}

/**
 * The settings that apply: the plan's (when given) over the catalog's, over the defaults, which
 * keep the behaviour of a catalog without settings.
 *
 * @example resolveProration({ convention: 'THIRTY_360' }, { billingCycleDay: 1 }).convention // 'THIRTY_360'
 */
export function resolveProration(
  catalog: ProrationSettings | ResolvedProration | undefined,
  plan?: ProrationSettings | undefined,
): ResolvedProration {
  const pick = <K extends keyof ProrationSettings>(key: K) => plan?.[key] ?? catalog?.[key];
  return {
    convention: pick('convention') ?? 'SECOND',
    billingCycleDay: pick('billingCycleDay'),
    billingAnchorOnPeriodChange: pick('billingAnchorOnPeriodChange') ?? 'RESET',
    firstPartialPeriod: pick('firstPartialPeriod') ?? 'PRORATED',
    firstRecurringCreditGrant: pick('firstRecurringCreditGrant') ?? 'FULL',
  };
}

/**
 * The settings a plan's subscriptions follow: its own `proration` over the catalog's.
 *
 * @example planProration(catalog, catalog.plans.get('pro')).billingCycleDay // 1 when pro bills on the 1st
 */
export function planProration(
  catalog: { readonly proration: ResolvedProration },
  plan: { readonly proration?: ProrationSettings | undefined } | undefined,
): ResolvedProration {
  return plan?.proration ? resolveProration(catalog.proration, plan.proration) : catalog.proration;
}
