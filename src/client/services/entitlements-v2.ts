// The reference's V2 entitlement reads: a feature's entitlement or a credit currency's through
// one method, and a customer's whole state with its credit entitlements beside its features'. It
// composes the feature checks and the credit balances the façade hands it, so each keeps one home.
import type { Entitlement } from '../../core/entitlement-results.js';
import { AllotError } from '../../errors.js';
import type { CreditEntitlement } from '../credit-shapes.js';
import { parse } from '../input-schemas.js';
import type { CreditEntitlementParams, EntitlementCheckParams, EntitlementV2Params } from '../params.js';
import type { EntitlementsState } from '../result-shapes.js';
import { entitlementV2Schema } from '../sdk-input-schemas.js';

/** A feature's entitlement (with a `type`) or a credit currency's (with a `currency`, no `type`). */
export type EntitlementV2 = Entitlement | CreditEntitlement;

/** `getEntitlementsStateV2`'s result. */
export interface EntitlementsStateV2 extends Omit<EntitlementsState, 'entitlements'> {
  entitlements: EntitlementV2[];
}

/** What V2 reads are made of: the feature checks and the credit balances. */
export interface EntitlementSources {
  feature(params: EntitlementCheckParams): Promise<Entitlement>;
  features(customerId: string, resourceId: string | null | undefined): Promise<EntitlementsState>;
  credit(params: CreditEntitlementParams): Promise<CreditEntitlement>;
  credits(customerId: string, resourceId: string | null | undefined): Promise<CreditEntitlement[]>;
}

export class EntitlementsV2 {
  readonly #sources: EntitlementSources;

  constructor(sources: EntitlementSources) {
    this.#sources = sources;
  }

  /** A feature's check, as `getEntitlement` answers it, or a currency's, as `getCreditEntitlement` does. */
  async get(params: EntitlementV2Params): Promise<EntitlementV2> {
    const { featureId, currencyId, options, ...scope } = parse(entitlementV2Schema, params, 'getEntitlementV2');
    if (featureId !== undefined) return this.#sources.feature({ ...scope, featureId, ...(options ? { options } : {}) });
    const requestedUsage = options?.requestedUsage;
    return this.#sources.credit({
      ...scope,
      currencyId: currencyId as string, // the schema takes one of the two
      ...(requestedUsage === undefined ? {} : { options: { requestedUsage } }),
    });
  }

  /**
   * `getEntitlementsState` with the credit entitlements of the customer (or resource) after the
   * features'. Like the feature checks it answers when the store cannot be read: from the
   * configured fallbacks, without credits.
   */
  async state(customerId: string, resourceId?: string | null): Promise<EntitlementsStateV2> {
    const features = await this.#sources.features(customerId, resourceId);
    const credits = await this.#sources.credits(customerId, resourceId).catch((error: unknown) => {
      if (AllotError.is(error) && error.code !== 'INVALID_INPUT') return [];
      throw error;
    });
    return { ...features, entitlements: [...features.entitlements, ...credits] };
  }
}
