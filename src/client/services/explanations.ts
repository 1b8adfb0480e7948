// Why a check answers as it does: the customer loaded as a check loads it, and the pure core's
// explanation of the same merge and decision.
import { type EntitlementExplanation, explainEntitlement } from '../../core/explain-entitlement.js';
import type { Engine } from '../engine/engine.js';
import { explainEntitlementSchema, parse } from '../input-schemas.js';
import type { ExplainEntitlementParams } from '../params.js';

export class Explanations {
  readonly #engine: Engine;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  async explain(params: ExplainEntitlementParams): Promise<EntitlementExplanation> {
    const { customerId, featureId, resourceId = null } = parse(explainEntitlementSchema, params, 'explainEntitlement');
    const engine = this.#engine;
    await engine.ready();
    const entry = await engine.entry(customerId);
    const now = engine.clock.now();
    // The view a check reads: its usage and credit balance are the ones the decision counts.
    const usage = engine.view(entry, resourceId, now);
    return explainEntitlement(engine.catalog, entry.state, { customerId, featureId, resourceId }, usage, now);
  }
}
