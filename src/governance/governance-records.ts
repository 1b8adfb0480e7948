// The persisted governance shapes. Instants are epoch milliseconds (UTC); amounts are decimal
// strings in plain notation, as for credits, so no float ever touches a budget.
import type { EntitlementResetPeriod } from '../model/enums.js';

/**
 * One entity of an owner's tree (an organisation, a team, a user): `parentId` null is a root.
 * An owner is a customer; entity ids are unique per owner.
 */
export interface GovernanceEntityRecord {
  readonly ownerId: string;
  readonly entityId: string;
  readonly parentId: string | null;
  readonly displayName: string | null;
  /** Free-form kind (`ORGANIZATION`, `TEAM`, `USER`, ...): shown, never interpreted. */
  readonly type: string | null;
  readonly metadata: Readonly<Record<string, string>>;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/**
 * A budget of one entity for one capability (a feature id or a credit currency id): at most
 * `limit` per period of `resetIntervalCount` × `resetPeriod` counted from `anchor`; `resetPeriod`
 * null never resets.
 */
export interface GovernanceBudgetRecord {
  readonly ownerId: string;
  readonly entityId: string;
  readonly capabilityId: string;
  /** Decimal string, 0 or more. */
  readonly limit: string;
  readonly resetPeriod: EntitlementResetPeriod | null;
  /** How many `resetPeriod`s one window spans; 1 for a budget that never resets. */
  readonly resetIntervalCount: number;
  readonly anchor: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** What a budget's entity has used of a capability in one window (a reset period, or all time). */
export interface GovernanceUsageRecord {
  readonly ownerId: string;
  readonly entityId: string;
  readonly capabilityId: string;
  /** The window's key: `start:end` in epoch ms, or `all` for a budget that never resets. */
  readonly window: string;
  /** When the window ends; null never. Ended windows are not loaded. */
  readonly periodEnd: number | null;
  /** Decimal string, 0 or more. */
  readonly amount: string;
}

/** Everything stored for one owner: its entities, their budgets, and usage of windows not yet ended. */
export interface GovernanceRecords {
  readonly entities: readonly GovernanceEntityRecord[];
  readonly budgets: readonly GovernanceBudgetRecord[];
  readonly usage: readonly GovernanceUsageRecord[];
}
