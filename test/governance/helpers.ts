// Shared factories and arbitraries for the governance tests.
import { budgetWindow } from '../../src/governance/budget-window.js';
import { type BudgetSet, setBudgets } from '../../src/governance/governance-budgets.js';
import { type EntityUpsert, upsertEntities } from '../../src/governance/governance-entities.js';
import { emptyGovernance, type GovernanceIndex } from '../../src/governance/governance-index.js';
import { type GovernanceIngested, ingestGovernance } from '../../src/governance/governance-ingest.js';
import type { GovernanceBudgetRecord } from '../../src/governance/governance-records.js';
import { Decimal } from '../../src/money/money.js';
import { fc } from '../core/fc-setup.js';

export { fc };

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** An ISO instant that must carry its zone, as epoch ms, so no test depends on the local zone. */
export function at(iso: string): number {
  if (!/(Z|[+-]\d\d:\d\d)$/.test(iso)) throw new Error(`instant "${iso}" must be explicit UTC`);
  return Date.parse(iso);
}

export const T0 = at('2025-03-10T09:00:00Z');

/** An index of owner `c1` with `entities` ([id, parent] pairs, parents first) and `budgets`, made at T0. */
export function governance(
  entities: readonly (readonly [string, string | null])[],
  budgets: readonly BudgetSet[] = [],
  now = T0,
): GovernanceIndex {
  const inputs: EntityUpsert[] = entities.map(([entityId, parentId]) => ({ entityId, parentId }));
  const index = inputs.length === 0 ? emptyGovernance('c1') : upsertEntities(emptyGovernance('c1'), inputs, now).index;
  return budgets.length === 0 ? index : setBudgets(index, budgets, now).index;
}

/** acme → team-a → (user-1, user-2); acme → team-b → user-3. */
export const ORG: readonly (readonly [string, string | null])[] = [
  ['acme', null],
  ['team-a', 'acme'],
  ['team-b', 'acme'],
  ['user-1', 'team-a'],
  ['user-2', 'team-a'],
  ['user-3', 'team-b'],
];

/** A budget input for the `tokens` capability. */
export function budget(entityId: string, limit: string, extra: Partial<BudgetSet> = {}): BudgetSet {
  return { entityId, capabilityId: 'tokens', limit, ...extra };
}

export { expectAllotError } from '../helpers/expect-allot-error.js';

/** A positive decimal string with up to 2 fraction digits (0.01 .. 100): 0.1 and 0.2 are frequent. */
export const positiveDecimal = fc
  .tuple(fc.integer({ min: 1, max: 10_000 }), fc.constantFrom(0, 1, 2))
  .map(([units, scale]) => (units / 100).toFixed(scale))
  .filter((s) => Number(s) > 0);

/**
 * A random forest of `e0..e{n-1}`: each entity's parent is null or an earlier entity, so parents
 * come first. Returned as the parent of each entity.
 */
export const forest = fc
  .integer({ min: 1, max: 8 })
  .chain((n) =>
    fc.tuple(
      ...Array.from({ length: n }, (_, i) =>
        i === 0 ? fc.constant(null) : fc.option(fc.integer({ min: 0, max: i - 1 }), { freq: 4 }),
      ),
    ),
  )
  .map((parents) => parents.map((p) => (p === null ? null : `e${p}`)));

/** The ids of a forest's entities. */
export const idsOf = (parents: readonly (string | null)[]) => parents.map((_, i) => `e${i}`);

/** The entity pairs of a forest, for {@link governance}. */
export const pairsOf = (parents: readonly (string | null)[]) =>
  parents.map((p, i) => [`e${i}`, p] as const satisfies readonly [string, string | null]);

/** The model's ancestors-or-self of `entityId` in a parent map, walked naively. */
export function modelPath(parentOf: ReadonlyMap<string, string | null>, entityId: string): string[] {
  const out: string[] = [];
  for (let at: string | null | undefined = entityId; at != null; at = parentOf.get(at)) out.push(at);
  return out;
}

/** A random governance world: a forest, budgets on some entities, and batches of usage events. */
export interface Scenario {
  readonly parents: readonly (string | null)[];
  readonly budgets: readonly BudgetSet[];
  /** Each batch runs at the previous batch's `now` plus `advance`, its events counting at that `now`. */
  readonly batches: readonly {
    readonly advance: number;
    readonly events: readonly {
      readonly entityIds: readonly string[];
      readonly capabilityId: string;
      readonly amount: string;
    }[];
  }[];
}

export const CAPABILITIES = ['x', 'y'] as const;
const resetPeriod = fc.constantFrom(null, 'HOUR', 'DAY') as fc.Arbitrary<null | 'HOUR' | 'DAY'>;
const limit = fc.integer({ min: 0, max: 4000 }).map((n) => (n / 100).toString());
const smallAmount = fc.integer({ min: 1, max: 1000 }).map((n) => (n / 100).toString());

export const scenario: fc.Arbitrary<Scenario> = forest.chain((parents) => {
  const ids = idsOf(parents);
  const budgets = fc
    .uniqueArray(
      fc.record({
        entityId: fc.constantFrom(...ids),
        capabilityId: fc.constantFrom(...CAPABILITIES),
        limit,
        resetPeriod,
        anchor: fc.integer({ min: T0 - DAY, max: T0 }),
      }),
      { maxLength: 8, selector: (b) => `${b.entityId}/${b.capabilityId}` },
    )
    .map((bs) => bs as BudgetSet[]);
  const event = fc.record({
    // Sometimes one entity twice: it must still count once.
    entityIds: fc
      .tuple(fc.subarray(ids, { minLength: 1, maxLength: Math.min(3, ids.length) }), fc.boolean())
      .map(([some, twice]) => (twice ? [...some, some[0] as string] : some)),
    capabilityId: fc.constantFrom(...CAPABILITIES),
    amount: smallAmount,
  });
  const batch = fc.record({
    // Often within the same window, sometimes across one or more resets.
    advance: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 * HOUR }), fc.integer({ min: 0, max: 30 * HOUR })),
    events: fc.array(event, { minLength: 1, maxLength: 5 }),
  });
  return fc.record({ parents: fc.constant(parents), budgets, batches: fc.array(batch, { maxLength: 4 }) });
});

/** An ingested event with the `now` of its batch, for the model. */
export interface TimedEvent {
  readonly entityIds: readonly string[];
  readonly capabilityId: string;
  readonly amount: string;
  readonly at: number;
}

/**
 * One step of {@link runScenario}: the index before and after a batch, its `now`, the batch and
 * every event so far.
 */
export interface ScenarioStep {
  readonly before: GovernanceIndex;
  readonly index: GovernanceIndex;
  readonly now: number;
  readonly batch: readonly TimedEvent[];
  readonly events: readonly TimedEvent[];
  readonly ingested: GovernanceIngested;
}

/** Builds the scenario's world at T0 and ingests its batches, calling `onStep` after each. */
export function runScenario(s: Scenario, onStep: (step: ScenarioStep) => void = () => {}): ScenarioStep {
  let index = governance(pairsOf(s.parents), s.budgets);
  let now = T0;
  const events: TimedEvent[] = [];
  let step: ScenarioStep = { before: index, index, now, batch: [], events: [], ingested: { index, usage: [] } };
  for (const b of s.batches) {
    now += b.advance;
    const batch = b.events.map((e) => ({ ...e, at: now }));
    const before = index;
    const ingested = ingestGovernance(index, b.events, now);
    index = ingested.index;
    events.push(...batch);
    step = { before, index, now, batch, events: [...events], ingested };
    onStep(step);
  }
  return step;
}

/** The model's usage of `budget` at `now`: events of its capability in its window whose paths include its entity. */
export function modelUsage(
  parentOf: ReadonlyMap<string, string | null>,
  events: readonly TimedEvent[],
  budget: GovernanceBudgetRecord,
  now: number,
): Decimal {
  const w = budgetWindow(budget, now);
  const inWindow = (t: number) => w.periodStart === null || (w.periodStart <= t && t < (w.periodEnd as number));
  let total = new Decimal(0);
  for (const e of events)
    if (
      e.capabilityId === budget.capabilityId &&
      inWindow(e.at) &&
      e.entityIds.some((id) => modelPath(parentOf, id).includes(budget.entityId))
    )
      total = total.plus(e.amount);
  return total;
}
