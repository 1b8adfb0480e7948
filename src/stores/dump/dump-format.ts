// The dump format: JSON Lines, a header line, one record per line tagged with its type, and an end
// line that counts the records, so a truncated file is told from a whole one. Records are the
// Store contract's own, so a dump taken from any store imports into any other.
// Every schema here is z.lazy, built on its first parse, so importing allot builds none.
import { z } from 'zod';
import { type AutoRechargeConfig, autoRechargeConfigSchema } from '../../credits/auto-recharge-schema.js';
import type { CreditPoolKey } from '../../credits/credit-pool.js';
import type { CreditGrantRecord, CreditLedgerEntry } from '../../credits/credit-records.js';
import type { SpentExpiry } from '../../credits/spent-credits.js';
import { AllotError } from '../../errors.js';
import type {
  GovernanceBudgetRecord,
  GovernanceEntityRecord,
  GovernanceUsageRecord,
} from '../../governance/governance-records.js';
import type { CustomerBilling, SubscriptionBilling } from '../../model/billing.js';
import {
  BillingPeriod,
  EntitlementResetPeriod,
  enumValues,
  PromotionalEntitlementPeriod,
  SubscriptionCancelReason,
  SubscriptionScheduleType,
  TrialEndBehavior,
} from '../../model/enums.js';
import type {
  CustomerRecord,
  PackageVersionRecord,
  PromotionRecord,
  SubscriptionRecord,
  UsageRecord,
} from '../../model/records.js';
import type { CreditTotals, EventKey, IdempotencyRecord, UniqueMember, UsageEntry } from '../store.js';

/** What the header's `format` says; a file without it is not a dump. */
export const DUMP_FORMAT = 'allot-dump';
/** The version this build writes and reads. */
export const DUMP_VERSION = 1;

/** The first line of a dump. */
export interface DumpHeader {
  readonly type: 'header';
  readonly format: typeof DUMP_FORMAT;
  readonly version: typeof DUMP_VERSION;
  /** Names this export: an unfinished import resumes only with the same one. */
  readonly exportId: string;
  /** ISO 8601. */
  readonly exportedAt: string;
  /** The store exported, by name. */
  readonly source: string;
}

/** The last line of a dump: how many records came between it and the header. */
export interface DumpEnd {
  readonly type: 'end';
  readonly records: number;
}

/** The totals of one credit pool. */
export interface CreditTotalsRecord extends CreditPoolKey, CreditTotals {}

/** What of a pool's spent credits expires at one instant. */
export interface CreditExpiryRecord extends CreditPoolKey, SpentExpiry {}

/** A customer's automatic recharge settings for one currency. */
export interface AutoRechargeDumpRecord {
  readonly customerId: string;
  readonly currencyId: string;
  readonly config: AutoRechargeConfig;
}

/** The records of a dump by type tag: each one what the Store contract reads and writes. */
export interface DumpRecordTypes {
  packageVersion: PackageVersionRecord;
  customer: CustomerRecord;
  subscription: SubscriptionRecord;
  promotion: PromotionRecord;
  usageCounter: UsageRecord;
  usageEntry: UsageEntry;
  uniqueMember: UniqueMember;
  eventKey: EventKey;
  creditGrant: CreditGrantRecord;
  creditTotals: CreditTotalsRecord;
  creditExpiry: CreditExpiryRecord;
  creditLedger: CreditLedgerEntry;
  autoRecharge: AutoRechargeDumpRecord;
  governanceEntity: GovernanceEntityRecord;
  governanceBudget: GovernanceBudgetRecord;
  governanceUsage: GovernanceUsageRecord;
  idempotency: IdempotencyRecord;
}

export type DumpRecordType = keyof DumpRecordTypes;

/** One record line of a dump. */
export type DumpRecord = {
  [K in DumpRecordType]: { readonly type: K; readonly record: DumpRecordTypes[K] };
}[DumpRecordType];

export type DumpLine = DumpHeader | DumpRecord | DumpEnd;

/** The idempotency scope where an import marks its progress: never exported. */
export const IMPORT_SCOPE = 'allot:import';

const nullable = <T extends z.ZodType>(schema: T) => schema.nullable();
const instant = z.lazy(() => z.number().finite());
const stringMap = z.lazy(() => z.record(z.string(), z.string()));
/** A decimal string in plain notation, signed: what records keep amounts as. */
const decimal = z.lazy(() => z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal string'));
const dimensions = z.lazy(() => z.record(z.string(), z.union([z.string(), z.number().finite(), z.boolean()])));
const resourceId = z.lazy(() => z.string().min(1).nullable());
const resetPeriod = z.lazy(() => z.enum(enumValues(EntitlementResetPeriod)).nullable());
const intervalCount = z.lazy(() => z.number().int().positive());
const recurrence = z.lazy(() =>
  z.strictObject({ interval: z.enum(enumValues(EntitlementResetPeriod)), intervalCount, anchor: instant }),
);
const rollover = z.lazy(() =>
  z.strictObject({ maxAmount: decimal.optional(), minAmount: decimal.optional(), percentage: decimal.optional() }),
);
const resetSchedule = z.lazy(() =>
  z.strictObject({
    recurrence,
    rollover: nullable(rollover),
    overage: z.enum(['CARRY', 'FORGIVE']),
    resetAfter: instant,
  }),
);
/** Billing details as stored: data the store wrote, kept as it is (the inputs validated them field by field). */
const billing = <T>() =>
  z.custom<T>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'must be an object');

const entitlementSpec = z.lazy(() =>
  z.strictObject({
    featureId: z.string(),
    usageLimit: nullable(z.number()),
    hasUnlimitedUsage: z.boolean(),
    hasSoftLimit: z.boolean(),
    resetPeriod,
    accordingTo: nullable(z.string()),
    resetIntervalCount: intervalCount.optional(),
    usagePeriodAnchor: instant.optional(),
    enumValues: nullable(z.array(z.string())),
  }),
);

const subscriptionAddon = z.lazy(() =>
  z.strictObject({ addonId: z.string(), version: z.number().int(), quantity: z.number() }),
);
const billableFeature = z.lazy(() => z.strictObject({ featureId: z.string(), quantity: z.number() }));
const cancelReason = z.lazy(() => z.enum(enumValues(SubscriptionCancelReason)).nullable());
const billingPeriod = z.lazy(() => z.enum(enumValues(BillingPeriod)));

const poolKey = {
  customerId: z.string(),
  currencyId: z.string(),
  resourceId,
};
const usageWindow = {
  customerId: z.string(),
  resourceId,
  featureId: z.string(),
  window: z.string(),
};

const schemas: { readonly [K in DumpRecordType]: z.ZodType<DumpRecordTypes[K]> } = {
  packageVersion: z.lazy(() =>
    z.strictObject({
      kind: z.enum(['plan', 'addon', 'catalog']),
      refId: z.string(),
      version: z.number().int(),
      hash: z.string(),
      snapshot: z.unknown(),
      createdAt: instant,
    }),
  ),
  customer: z.lazy(() =>
    z.strictObject({
      id: z.string().min(1),
      name: nullable(z.string()),
      email: nullable(z.string()),
      billingId: nullable(z.string()),
      couponId: nullable(z.string()),
      couponAppliedAt: nullable(instant),
      metadata: stringMap,
      createdAt: instant,
      updatedAt: instant,
      archivedAt: nullable(instant),
      billing: billing<CustomerBilling>().optional(),
    }),
  ),
  subscription: z.lazy(() =>
    z.strictObject({
      id: z.string().min(1),
      customerId: z.string(),
      resourceId,
      productId: z.string(),
      planId: z.string(),
      planVersion: z.number().int(),
      billingPeriod,
      addons: z.array(subscriptionAddon),
      billableFeatures: z.array(billableFeature),
      entitlements: z.array(entitlementSpec),
      metadata: stringMap,
      startDate: instant,
      billingAnchor: instant,
      usageResetAt: instant,
      usageEpoch: z.string(),
      trialEndDate: nullable(instant),
      trialEndBehavior: nullable(z.enum(enumValues(TrialEndBehavior))),
      endDate: nullable(instant),
      cancellationDate: nullable(instant),
      cancelReason,
      endBeforeConversion: z
        .strictObject({ endDate: nullable(instant), cancellationDate: nullable(instant), cancelReason })
        .optional(),
      scheduledUpdates: z.array(
        z.strictObject({
          subscriptionScheduleType: z.enum(enumValues(SubscriptionScheduleType)),
          scheduledExecutionTime: instant,
          createdAt: instant,
          planId: z.string().optional(),
          planVersion: z.number().int().optional(),
          addons: z.array(subscriptionAddon).optional(),
          billableFeatures: z.array(billableFeature).optional(),
          billingPeriod: billingPeriod.optional(),
        }),
      ),
      usagePeriodAnchor: instant.optional(),
      billing: billing<SubscriptionBilling>().optional(),
      payingCustomerId: z.string().optional(),
      createdAt: instant,
      updatedAt: instant,
    }),
  ),
  promotion: z.lazy(() =>
    z.strictObject({
      id: z.string().min(1),
      customerId: z.string(),
      featureId: z.string(),
      period: z.enum(enumValues(PromotionalEntitlementPeriod)),
      entitlement: entitlementSpec,
      isVisible: z.boolean(),
      featureGroupId: z.string().optional(),
      startDate: instant,
      endDate: nullable(instant),
      createdAt: instant,
      updatedAt: instant,
    }),
  ),
  usageCounter: z.lazy(() =>
    z.strictObject({
      ...usageWindow,
      periodStart: nullable(instant),
      periodEnd: nullable(instant),
      value: z.number(),
      count: z.number().int(),
      updatedAt: instant,
    }),
  ),
  usageEntry: z.lazy(() =>
    z.strictObject({
      ...usageWindow,
      periodStart: nullable(instant),
      periodEnd: nullable(instant),
      op: z.enum(['add', 'set', 'max', 'min', 'avg']),
      amount: z.number(),
      at: instant,
      dimensions: nullable(dimensions),
    }),
  ),
  uniqueMember: z.lazy(() => z.strictObject({ ...usageWindow, member: z.string() })),
  eventKey: z.lazy(() =>
    z.strictObject({ customerId: z.string(), idempotencyKey: z.string().min(1), createdAt: instant }),
  ),
  creditGrant: z.lazy(() =>
    z.strictObject({
      id: z.string().min(1),
      ...poolKey,
      grantType: z.enum(['PAID', 'PROMOTIONAL', 'RECURRING']),
      amount: decimal,
      consumed: decimal,
      priority: z.number(),
      effectiveAt: instant,
      expireAt: nullable(instant),
      cost: nullable(z.strictObject({ amount: decimal, currency: z.string() })),
      displayName: z.string(),
      comment: nullable(z.string()),
      metadata: stringMap,
      source: nullable(
        z.discriminatedUnion('kind', [
          z.strictObject({
            kind: z.literal('SUBSCRIPTION'),
            subscriptionId: z.string(),
            cadence: z.enum(['MONTH', 'YEAR']),
            periodStart: instant,
            periodEnd: instant,
            rolledOver: decimal,
          }),
          z.strictObject({ kind: z.literal('AUTO_RECHARGE') }),
        ]),
      ),
      createdAt: instant,
      updatedAt: instant,
      activatedAt: nullable(instant),
      expiredAt: nullable(instant),
      voidedAt: nullable(instant),
      recurrence: nullable(recurrence),
      rollover: nullable(rollover),
      refilledAt: nullable(instant),
    }),
  ),
  creditTotals: z.lazy(() =>
    z.strictObject({
      ...poolKey,
      debt: decimal,
      spent: decimal,
      revision: z.number().int(),
      schedule: nullable(resetSchedule),
    }),
  ),
  creditExpiry: z.lazy(() => z.strictObject({ ...poolKey, at: instant, amount: decimal })),
  creditLedger: z.lazy(() =>
    z.strictObject({
      id: z.string(),
      ...poolKey,
      grantId: nullable(z.string()),
      eventType: z.enum([
        'CREDITS_GRANTED',
        'CREDITS_CONSUMED',
        'CREDITS_EXPIRED',
        'CREDITS_VOIDED',
        'CREDITS_UPDATED',
        'DEBT_CREATED',
        'DEBT_SETTLED',
      ]),
      amount: decimal,
      at: instant,
      eventId: z.string().optional(),
      idempotencyKey: z.string().optional(),
      featureId: z.string().optional(),
      dimensions: dimensions.optional(),
      relatedGrantId: z.string().optional(),
    }),
  ),
  autoRecharge: z.lazy(() =>
    z.strictObject({ customerId: z.string(), currencyId: z.string(), config: autoRechargeConfigSchema }),
  ),
  governanceEntity: z.lazy(() =>
    z.strictObject({
      ownerId: z.string(),
      entityId: z.string(),
      parentId: nullable(z.string()),
      displayName: nullable(z.string()),
      type: nullable(z.string()),
      metadata: stringMap,
      createdAt: instant,
      updatedAt: instant,
    }),
  ),
  governanceBudget: z.lazy(() =>
    z.strictObject({
      ownerId: z.string(),
      entityId: z.string(),
      capabilityId: z.string(),
      limit: decimal,
      resetPeriod,
      resetIntervalCount: intervalCount,
      anchor: instant,
      createdAt: instant,
      updatedAt: instant,
    }),
  ),
  governanceUsage: z.lazy(() =>
    z.strictObject({
      ownerId: z.string(),
      entityId: z.string(),
      capabilityId: z.string(),
      window: z.string(),
      periodEnd: nullable(instant),
      amount: decimal,
    }),
  ),
  idempotency: z.lazy(() =>
    z.strictObject({ scope: z.string().min(1), key: z.string().min(1), result: z.unknown(), createdAt: instant }),
  ),
};

const headerSchema = z.lazy(() =>
  z.strictObject({
    type: z.literal('header'),
    format: z.literal(DUMP_FORMAT),
    version: z.literal(DUMP_VERSION),
    exportId: z.string().min(1),
    exportedAt: z.string(),
    source: z.string(),
  }),
);
const endSchema = z.lazy(() => z.strictObject({ type: z.literal('end'), records: z.number().int().min(0) }));

/** One line of a dump as text, newline included. */
export function encodeDumpLine(line: DumpLine): string {
  return `${JSON.stringify(line)}\n`;
}

/** A line that is not what the dump needs there: INVALID_INPUT naming the line. */
export function dumpLineError(lineNumber: number, message: string): AllotError {
  return new AllotError('INVALID_INPUT', `dump line ${lineNumber}: ${message}`, { details: { line: lineNumber } });
}

/** Parses one line of a dump: the header (line 1 only), a record or the end line, each checked field by field. */
export function parseDumpLine(text: string, lineNumber: number): DumpLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw dumpLineError(lineNumber, 'not JSON');
  }
  const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
  if (lineNumber === 1) {
    if (type !== 'header' || (value as { format?: unknown }).format !== DUMP_FORMAT)
      throw dumpLineError(lineNumber, 'not an allot dump (no header line)');
    const version = (value as { version?: unknown }).version;
    if (version !== DUMP_VERSION)
      throw dumpLineError(
        lineNumber,
        `dump format version ${String(version)}; this allot reads version ${DUMP_VERSION}`,
      );
    return checked(headerSchema, value, lineNumber);
  }
  if (type === 'end') return checked(endSchema, value, lineNumber);
  if (typeof type !== 'string' || !Object.hasOwn(schemas, type))
    throw dumpLineError(lineNumber, `unknown record type ${JSON.stringify(type)}`);
  return checked(recordLine(type as DumpRecordType), value, lineNumber) as DumpRecord;
}

const recordLines = new Map<DumpRecordType, z.ZodType>();
/** The schema of a record line of one type, built once. */
function recordLine(type: DumpRecordType): z.ZodType {
  let schema = recordLines.get(type);
  if (schema === undefined) {
    schema = z.strictObject({ type: z.literal(type), record: schemas[type] });
    recordLines.set(type, schema);
  }
  return schema;
}

function checked<T>(schema: z.ZodType<T>, value: unknown, lineNumber: number): T {
  const parsed = schema.safeParse(value, { jitless: true });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw dumpLineError(lineNumber, `${issue?.path.join('.') || 'line'}: ${issue?.message ?? 'invalid'}`);
}
