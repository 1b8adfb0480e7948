import type { Entitlement, MeteredEntitlement } from '../../core/entitlement-results.js';
import type { EntitlementsStateAccessDeniedReason } from '../../model/enums.js';
import { listenerSchema, parse } from '../input-schemas.js';
import type { AllotLogger } from '../logger.js';
import type { Subscription } from '../result-shapes.js';

/** A customer's (or resource's) entitlement set changed: its new state. */
export interface EntitlementsUpdatedEvent {
  customerId: string;
  resourceId: string | null;
  accessDeniedReason: EntitlementsStateAccessDeniedReason | null;
  entitlements: Entitlement[];
}

/** Usage of a metered feature changed: the counter and the entitlement as it now evaluates. */
export interface UsageUpdatedEvent {
  usage: {
    customerId: string;
    resourceId: string | null;
    featureId: string;
    currentUsage: number;
    usagePeriodStart?: Date;
    usagePeriodEnd?: Date;
    nextResetDate?: Date;
  };
  entitlement: MeteredEntitlement;
}

/** A subscription was created or changed (including one ended or lined up by the change). */
export interface SubscriptionUpdatedEvent {
  subscription: Subscription;
}

/** A new version of a plan or add-on was published at initialize, and how its subscribers move. */
export interface PackagePublishedEvent {
  packageType: 'PLAN' | 'ADDON';
  packageRefId: string;
  packageVersion: number;
  /** NEW_CUSTOMERS: existing subscriptions keep their version; ALL_CUSTOMERS: they were migrated to it. */
  migrationType: 'NEW_CUSTOMERS' | 'ALL_CUSTOMERS';
}

/** A credit pool's balance changed: by a grant, a consumption, a void, or time (expiry, refill). */
export interface CreditBalanceUpdatedEvent {
  customerId: string;
  currencyId: string;
  resourceId: string | null;
  currentBalance: number;
  totalGranted: number;
  totalConsumed: number;
}

/** An automatic recharge was due but skipped: it would have taken the month's spend past its limit. */
export interface AutoRechargeSkippedEvent {
  customerId: string;
  currencyId: string;
  reason: 'SPEND_LIMIT';
  /** The credits and cost the recharge would have bought. */
  amount: number;
  cost: { amount: number; currency: string };
  monthlySpend: number;
  maxSpendLimit: number;
}

/** Events and their payloads; every one is emitted after its transaction commits. */
export interface AllotEvents {
  entitlementsUpdated: (event: EntitlementsUpdatedEvent) => void;
  usageUpdated: (event: UsageUpdatedEvent) => void;
  subscriptionUpdated: (event: SubscriptionUpdatedEvent) => void;
  packagePublished: (event: PackagePublishedEvent) => void;
  creditBalanceUpdated: (event: CreditBalanceUpdatedEvent) => void;
  autoRechargeSkipped: (event: AutoRechargeSkippedEvent) => void;
}

/** The events `addListener` takes. */
export type AllotEventName = keyof AllotEvents;

/** A typed listener registry. A throwing listener is reported, never allowed to fail the write that already committed. */
export class Listeners {
  readonly #log: AllotLogger;
  readonly #listeners: { [K in AllotEventName]: Set<AllotEvents[K]> } = {
    entitlementsUpdated: new Set(),
    usageUpdated: new Set(),
    subscriptionUpdated: new Set(),
    packagePublished: new Set(),
    creditBalanceUpdated: new Set(),
    autoRechargeSkipped: new Set(),
  };

  constructor(log: AllotLogger) {
    this.#log = log;
  }

  add<K extends AllotEventName>(event: K, listener: AllotEvents[K]): void {
    parse(listenerSchema, [event, listener], 'addListener');
    this.#listeners[event].add(listener);
  }

  remove<K extends AllotEventName>(event: K, listener: AllotEvents[K]): void {
    parse(listenerSchema, [event, listener], 'removeListener');
    this.#listeners[event].delete(listener);
  }

  /** Whether anyone listens: lets callers skip building payloads nobody reads. */
  has(event: AllotEventName): boolean {
    return this.#listeners[event].size > 0;
  }

  emit<K extends AllotEventName>(event: K, payload: Parameters<AllotEvents[K]>[0]): void {
    for (const listener of this.#listeners[event]) {
      try {
        (listener as (p: typeof payload) => void)(payload);
      } catch (error) {
        this.#log.error(`a ${event} listener threw`, error);
      }
    }
  }
}
