// The public inputs of governance: entity trees, budgets, checks and usage events. Amounts stay
// decimal strings, as for credits, so no float ever touches a budget. Every schema is z.lazy, built
// on its first parse, so importing allot builds none.
import { z } from 'zod';
import { metadataSchema } from '../catalog/catalog-schema.js';
import { EntitlementResetPeriod, enumValues } from '../model/enums.js';
import { id } from '../model/id-schema.js';
import { instant } from '../model/instant.js';
import { intervalCount } from '../model/interval-count.js';
import { creditDecimal, positiveCreditDecimal } from '../money/amount-schema.js';

/**
 * How often a budget resets; null (the default) never resets.
 *
 * @example budgetResetPeriod.parse('DAY') // 'DAY'
 */
export const budgetResetPeriod = z.lazy(() => z.enum(enumValues(EntitlementResetPeriod)).nullable());

/**
 * One entity to create or update. Omitted fields keep an existing entity's values (a new one gets
 * null, or no metadata); `parentId` null makes it a root; `metadata` replaces the whole map.
 *
 * @example governanceEntitySchema.parse({ entityId: 'team-a', parentId: 'acme', type: 'TEAM' })
 */
export const governanceEntitySchema = z.lazy(() =>
  z.strictObject({
    entityId: id,
    parentId: id.nullable().optional(),
    displayName: z.string().min(1).nullable().optional(),
    type: z.string().min(1).nullable().optional(),
    metadata: metadataSchema.optional(),
  }),
);
export type GovernanceEntityInput = z.input<typeof governanceEntitySchema>;

/**
 * A batch of entities to upsert, applied all or nothing.
 *
 * @example upsertEntitiesSchema.parse({ entities: [{ entityId: 'acme' }, { entityId: 'team-a', parentId: 'acme' }] })
 */
export const upsertEntitiesSchema = z.lazy(() =>
  z.strictObject({ entities: z.array(governanceEntitySchema).min(1).max(1000) }),
);
export type UpsertEntitiesInput = z.input<typeof upsertEntitiesSchema>;

/**
 * An entity to remove (refused while it has children).
 *
 * @example removeEntitySchema.parse({ entityId: 'team-a' })
 */
export const removeEntitySchema = z.lazy(() => z.strictObject({ entityId: id }));
export type RemoveEntityInput = z.input<typeof removeEntitySchema>;

/**
 * A budget of one entity for one capability: at most `limit` per `resetIntervalCount` (default 1)
 * × `resetPeriod` counted from `anchor` (default: now for a new budget, unchanged for an existing one).
 *
 * @example governanceBudgetSchema.parse({ entityId: 'team-a', capabilityId: 'ai-tokens', limit: 1000, resetPeriod: 'MONTH' })
 * // { entityId: 'team-a', capabilityId: 'ai-tokens', limit: '1000', resetPeriod: 'MONTH' }
 */
export const governanceBudgetSchema = z.lazy(() =>
  z.strictObject({
    entityId: id,
    capabilityId: id,
    limit: creditDecimal,
    resetPeriod: budgetResetPeriod.default(null),
    /** An allot extension: one window spans this many `resetPeriod`s (2 with WEEK: fortnightly). */
    resetIntervalCount: intervalCount.optional(),
    anchor: instant.optional(),
  }),
);
export type GovernanceBudgetInput = z.input<typeof governanceBudgetSchema>;

/**
 * A batch of budgets to create or replace, applied all or nothing.
 *
 * @example setBudgetsSchema.parse({ budgets: [{ entityId: 'acme', capabilityId: 'ai-tokens', limit: '5000' }] })
 */
export const setBudgetsSchema = z.lazy(() =>
  z.strictObject({ budgets: z.array(governanceBudgetSchema).min(1).max(1000) }),
);
export type SetBudgetsInput = z.input<typeof setBudgetsSchema>;

/**
 * A budget to remove, with its usage.
 *
 * @example removeBudgetSchema.parse({ entityId: 'acme', capabilityId: 'ai-tokens' })
 */
export const removeBudgetSchema = z.lazy(() => z.strictObject({ entityId: id, capabilityId: id }));
export type RemoveBudgetInput = z.input<typeof removeBudgetSchema>;

/**
 * Whether `requestedAmount` more of a capability fits every budget on the entities' paths to
 * their roots; `requestedAmount` defaults to 0 (is any budget already exhausted?).
 *
 * @example checkGovernanceSchema.parse({ entityIds: ['user-1'], capabilityId: 'ai-tokens', requestedAmount: 50 })
 */
export const checkGovernanceSchema = z.lazy(() =>
  z.strictObject({
    entityIds: z.array(id).min(1).max(100),
    capabilityId: id,
    requestedAmount: creditDecimal.default('0'),
  }),
);
export type CheckGovernanceInput = z.input<typeof checkGovernanceSchema>;

/**
 * One usage event: `amount` of a capability used on behalf of `entityIds`, counted once in every
 * budget on their paths, in the window current when it is ingested (a late event for an ended
 * window would change a period no decision reads any more).
 *
 * @example governanceUsageEventSchema.parse({ entityIds: ['user-1'], capabilityId: 'ai-tokens', amount: '12.5' })
 */
export const governanceUsageEventSchema = z.lazy(() =>
  z.strictObject({
    entityIds: z.array(id).min(1).max(100),
    capabilityId: id,
    amount: positiveCreditDecimal,
  }),
);
export type GovernanceUsageEventInput = z.input<typeof governanceUsageEventSchema>;

/**
 * A batch of usage events, applied all or nothing; `idempotencyKey` lets the caller drop a replay.
 *
 * @example ingestGovernanceSchema.parse({ events: [{ entityIds: ['user-1'], capabilityId: 'ai-tokens', amount: 1 }] })
 */
export const ingestGovernanceSchema = z.lazy(() =>
  z.strictObject({
    events: z.array(governanceUsageEventSchema).min(1).max(1000),
    idempotencyKey: id.optional(),
  }),
);
export type IngestGovernanceInput = z.input<typeof ingestGovernanceSchema>;
