import type { AccessDeniedReason, EntitlementResetPeriod, FeatureType, MeterType } from '../model/enums.js';

/** The feature as it appears on entitlement results. */
export interface EntitlementFeature {
  readonly id: string;
  readonly featureType: FeatureType;
  readonly meterType: MeterType;
  readonly units?: string;
  readonly unitsPlural?: string;
  readonly isMetered: boolean;
  readonly displayName?: string;
}

interface EntitlementBase {
  hasAccess: boolean;
  /** True when the answer came from a fallback instead of an evaluation. */
  isFallback: boolean;
  /** Present only when access is denied. */
  accessDeniedReason?: AccessDeniedReason;
  feature?: EntitlementFeature;
}

export interface BooleanEntitlement extends EntitlementBase {
  type: 'BOOLEAN';
}

export interface NumericEntitlement extends EntitlementBase {
  type: 'NUMERIC';
  value?: number;
  isUnlimited: boolean;
}

export interface MeteredEntitlement extends EntitlementBase {
  type: 'METERED';
  usageLimit?: number;
  isUnlimited: boolean;
  hasSoftLimit: boolean;
  currentUsage: number;
  requestedUsage: number;
  resetPeriod?: EntitlementResetPeriod;
  resetPeriodConfiguration?: ResetPeriodConfiguration;
  /** An allot extension, present when one usage period spans several `resetPeriod`s (3 with MONTH: quarterly). */
  resetIntervalCount?: number;
  usagePeriodAnchor?: Date;
  usagePeriodStart?: Date;
  usagePeriodEnd?: Date;
  /** @deprecated equals `usagePeriodEnd`, kept for code written against the reference SDK. */
  nextResetDate?: Date;
  /** On a credit-backed feature: the credits one unit of usage costs, in `currencyId`. */
  creditRate?: { currencyId: string; amount: number };
}

export interface EnumEntitlement extends EntitlementBase {
  type: 'ENUM';
  enumValues: string[];
  requestedValues?: string[];
}

/** Any feature entitlement; switch on `type`. */
export type Entitlement = BooleanEntitlement | NumericEntitlement | MeteredEntitlement | EnumEntitlement;
export type EntitlementType = Entitlement['type'];

export type ResetPeriodConfiguration =
  | { monthlyAccordingTo: string }
  | { weeklyAccordingTo: string }
  | { yearlyAccordingTo: string };
