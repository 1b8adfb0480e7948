// The inputs of the SDK methods that take what an existing method takes (imports, apply and
// preview, delegation, the V2 reads, promotional groups, deprecated forms): each derived from that
// method's schema, so a field added there is accepted here too.
import { z } from 'zod';
import { enumValues, ScheduleStrategy } from '../model/enums.js';
import { id } from '../model/id-schema.js';
import { instant } from '../model/instant.js';
import { consumeCreditsSchema } from './credit-input-schemas.js';
import {
  entitlementCheckSchema,
  estimateSubscriptionSchema,
  grantPromotionsSchema,
  migrationTime,
  provisionCustomerSchema,
  provisionSubscriptionSchema,
  usageHistorySchema,
} from './input-schemas.js';

/** Payment-provider references a method accepts and allot, with no payment provider, leaves aside. */
const providerReference = () => z.string().min(1).max(255).optional();
/** A bulk import names the billing integration it came from; allot has none, so it is only checked. */
const integrationId = () => z.string().min(1).max(255).optional();

/** `createCustomer` (deprecated): `provisionCustomer`'s input without a subscription. */
export const createCustomerSchema = z.lazy(() => provisionCustomerSchema.unwrap().omit({ subscriptionParams: true }));

/** One customer of `importCustomer` and `importCustomerBulk`. */
export const importCustomerSchema = z.lazy(() =>
  createCustomerSchema.unwrap().extend({ paymentMethodId: providerReference() }),
);

export const importCustomerBulkSchema = z.lazy(() =>
  z.strictObject({ customers: z.array(importCustomerSchema).min(1).max(1000), integrationId: integrationId() }),
);

/** One subscription of `importSubscriptionBulk`: `provisionSubscription`'s input, its id and end. */
export const importSubscriptionSchema = z.lazy(() =>
  provisionSubscriptionSchema.unwrap().extend({ subscriptionId: id.optional(), endDate: instant.optional() }),
);

export const importSubscriptionBulkSchema = z.lazy(() =>
  z.strictObject({
    subscriptions: z.array(importSubscriptionSchema).min(1).max(1000),
    integrationId: integrationId(),
  }),
);

/** `applySubscription`: `provisionSubscription`'s input and the payment method to charge. */
export const applySubscriptionSchema = z.lazy(() =>
  provisionSubscriptionSchema.unwrap().extend({ paymentMethodId: providerReference() }),
);

/** `previewSubscription`: `estimateSubscription`'s input and how a downgrade is scheduled. */
export const previewSubscriptionSchema = z.lazy(() =>
  estimateSubscriptionSchema.unwrap().extend({ scheduleStrategy: z.enum(enumValues(ScheduleStrategy)).optional() }),
);

/** `delegateSubscriptionToCustomer`: no destination hands the subscription back to its payer. */
export const delegateSubscriptionSchema = z.lazy(() =>
  z.strictObject({ subscriptionId: id, destinationCustomerId: id.nullish() }),
);

/** `transferSubscription` (deprecated): a customer's subscriptions on one resource move to another. */
export const transferResourceSubscriptionsSchema = z.lazy(() =>
  z.strictObject({ customerId: id, sourceResourceId: id, destinationResourceId: id }),
);

/** `consumeCreditsAsync`: up to 1,000 consumptions, each as `consumeCredits` takes it. */
export const consumeCreditsAsyncSchema = z.lazy(() =>
  z.strictObject({ consumptions: z.array(consumeCreditsSchema).min(1).max(1000) }),
);

/** `getEntitlementV2`: a feature's check or a credit currency's, never both. */
export const entitlementV2Schema = z.lazy(() =>
  entitlementCheckSchema
    .unwrap()
    .extend({ featureId: id.optional(), currencyId: id.optional() })
    .refine((p) => (p.featureId === undefined) !== (p.currencyId === undefined), {
      message: 'give featureId or currencyId, not both',
    }),
);

/** `getUsageHistoryV2`: `getUsageHistory`'s input. */
export const usageHistoryV2Schema = z.lazy(() =>
  usageHistorySchema.unwrap().extend({ includeInactiveSubscriptions: z.boolean().optional() }),
);

/** `fetchUsageHistory` (deprecated): `getUsageHistory`'s input, ungrouped. */
export const fetchUsageHistorySchema = z.lazy(() => usageHistorySchema.unwrap().omit({ groupBy: true }));

export const grantPromotionsGroupSchema = z.lazy(() => grantPromotionsSchema.unwrap().extend({ featureGroupId: id }));

/** `revokePromotionalEntitlementsGroup` and `unlinkPromotionalEntitlementsGroup`. */
export const promotionsGroupSchema = z.lazy(() => z.strictObject({ customerId: id, featureGroupId: id }));

/** `migrateSubscriptionToLatest`'s positional form: the id, and optionally when. */
export const migrateArgumentsSchema = z.lazy(() => z.tuple([id, migrationTime().optional()]));
