// Entitlement checks: answered from a warm customer without awaiting anything, loaded once when
// cold, and never throwing for the store: a failing store answers from the fallback (DESIGN §6).
import type { Entitlement, EntitlementType } from '../../core/entitlement-results.js';
import { type CheckOptions, entitlementType, NO_CHECK_OPTIONS } from '../../core/evaluate-entitlement.js';
import { AllotError } from '../../errors.js';
import type { CustomerEntry } from '../engine/customer-entry.js';
import type { Engine } from '../engine/engine.js';
import { type EntitlementFallback, FallbackLog, fallbackEntitlement, fallbackType, unreachable } from '../fallback.js';
import { plainCheck } from '../fast-input.js';
import { customerResourceSchema, entitlementCheckSchema, parse } from '../input-schemas.js';
import type { EntitlementCheckParams } from '../params.js';
import type { EntitlementsState } from '../result-shapes.js';

const ENTITLEMENT_TYPES: ReadonlySet<unknown> = new Set<EntitlementType>(['BOOLEAN', 'NUMERIC', 'METERED', 'ENUM']);

export class EntitlementChecks {
  readonly #engine: Engine;
  readonly #fallbacks: Readonly<Record<string, EntitlementFallback>>;
  readonly #fallbackLog: FallbackLog;

  constructor(engine: Engine, fallbacks: Readonly<Record<string, EntitlementFallback>>) {
    this.#engine = engine;
    this.#fallbacks = fallbacks;
    this.#fallbackLog = new FallbackLog(engine.log);
  }

  async check(params: unknown, type: EntitlementType | undefined, method: string): Promise<Entitlement> {
    const p = plainCheck(params) ? params : (parse(entitlementCheckSchema, params, method) as EntitlementCheckParams);
    const engine = this.#engine;
    try {
      // A warm customer is answered without awaiting anything.
      let now = engine.clock.now();
      let entry = engine.warm(p.customerId, now);
      if (!entry) {
        await engine.ready();
        entry = await engine.entry(p.customerId);
        now = engine.clock.now(); // time passed while loading
        this.#fallbackLog.recovered();
      }
      return this.#answer(entry, p, type, now);
    } catch (error) {
      const known = unreachable(error) ? engine.lastKnown(p.customerId, engine.clock.now()) : undefined;
      if (known) return this.#answer(known, p, type, engine.clock.now());
      this.#fallbackLog.fellBack(error);
      return this.#fallback(type, p.featureId, p.options);
    }
  }

  /** From memory only: a customer not yet cached answers from the fallback while it loads in the background. */
  sync(params: unknown, type: EntitlementType | undefined): Entitlement {
    // Bad input throws INVALID_INPUT, as a bad `params` does: only the store's failures fall back.
    if (type !== undefined && !ENTITLEMENT_TYPES.has(type))
      throw new AllotError(
        'INVALID_INPUT',
        `getEntitlementSync: type must be one of ${[...ENTITLEMENT_TYPES].join(', ')}`,
        {
          details: { type },
        },
      );
    const p = plainCheck(params)
      ? params
      : (parse(entitlementCheckSchema, params, 'getEntitlementSync') as EntitlementCheckParams);
    try {
      const now = this.#engine.clock.now();
      const entry = this.#engine.warmOrStartLoad(p.customerId, now);
      if (entry) return this.#answer(entry, p, type, now);
    } catch (error) {
      this.#fallbackLog.fellBack(error);
    }
    return this.#fallback(type, p.featureId, p.options);
  }

  /** Every entitlement and the customer-level denial; when the store cannot be read, the configured fallbacks. */
  async state(customerId: string, resourceId?: string | null): Promise<EntitlementsState> {
    const [id, resource = null] = parse(customerResourceSchema, [customerId, resourceId], 'getEntitlementsState');
    const engine = this.#engine;
    try {
      await engine.ready();
      const entry = await engine.entry(id);
      const now = engine.clock.now();
      const view = engine.view(entry, resource, now);
      return {
        entitlements: engine.evaluateAll(view, entry, resource, now),
        accessDeniedReason: view.accessDeniedReason,
      };
    } catch (error) {
      this.#fallbackLog.fellBack(error);
      const entitlements = Object.keys(this.#fallbacks).map((featureId) =>
        this.#fallback(undefined, featureId, undefined),
      );
      return { entitlements, accessDeniedReason: null };
    }
  }

  /** Reloads the customer; whether it (or the resource) exists, assumed true when the store cannot be read. */
  async reload(customerId: string, resourceId?: string | null): Promise<{ entitledEntityExists: boolean }> {
    const [id, resource = null] = parse(customerResourceSchema, [customerId, resourceId], 'reloadEntitlements');
    const engine = this.#engine;
    try {
      await engine.ready();
      engine.forget(id);
      const set = engine.view(await engine.entry(id), resource, engine.clock.now());
      this.#fallbackLog.recovered();
      const reason = set.accessDeniedReason;
      return { entitledEntityExists: !set.unknownResource && (reason === null || reason === 'NoActiveSubscription') };
    } catch (error) {
      this.#fallbackLog.fellBack(error);
      return { entitledEntityExists: true };
    }
  }

  /** Evaluates a check on a loaded customer; a type mismatch answers from the fallback. */
  #answer(entry: CustomerEntry, p: EntitlementCheckParams, type: EntitlementType | undefined, now: number) {
    const options = p.options ?? NO_CHECK_OPTIONS;
    const result = this.#engine.evaluate(entry, p.resourceId ?? null, p.featureId, type, options, now);
    if (result.accessDeniedReason !== 'FeatureTypeMismatch') return result;
    const fallback = this.#fallback(type, p.featureId, p.options);
    return fallback.hasAccess ? fallback : { ...fallback, accessDeniedReason: 'FeatureTypeMismatch' as const };
  }

  /**
   * The fallback answer: per-call `options.fallback`, else the configured one. Its type is the
   * one asked for, else the catalog's for the feature, else what the fallback's fields describe.
   */
  #fallback(type: EntitlementType | undefined, featureId: string, options: EntitlementCheckParams['options']) {
    const chosen = options?.fallback ?? this.#fallbacks[featureId];
    const feature = this.#engine.loadedCatalog?.features.get(featureId);
    const resolved = type ?? (feature ? entitlementType(feature) : fallbackType(chosen));
    return fallbackEntitlement(resolved, chosen, (options as CheckOptions | undefined)?.requestedUsage);
  }
}
