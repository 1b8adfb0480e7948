import { describe, expect, it } from 'vitest';
import { checkGovernance } from '../../src/governance/governance-check.js';
import { ingestGovernance } from '../../src/governance/governance-ingest.js';
import { Decimal } from '../../src/money/money.js';
import {
  budget,
  CAPABILITIES,
  DAY,
  expectAllotError,
  fc,
  governance,
  idsOf,
  modelPath,
  modelUsage,
  ORG,
  pairsOf,
  runScenario,
  scenario,
  T0,
} from './helpers.js';

const used = (index: ReturnType<typeof governance>, entityIds: string[], amount: string, now = T0) =>
  ingestGovernance(index, [{ entityIds, capabilityId: 'tokens', amount }], now).index;

describe('checkGovernance', () => {
  it('denies a request the team budget allows but the org budget does not, naming the org budget', () => {
    let index = governance(ORG, [budget('team-a', '100'), budget('acme', '500', { resetPeriod: 'MONTH' })]);
    index = used(index, ['user-3'], '450');
    index = used(index, ['user-1'], '20');
    const result = checkGovernance(index, { entityIds: ['user-1'], capabilityId: 'tokens', requestedAmount: 50 }, T0);
    expect(result.hasAccess).toBe(false);
    expect(result.accessDeniedReason).toBe('BudgetExceeded');
    expect(result.deniedBy).toEqual([
      {
        entityId: 'acme',
        capabilityId: 'tokens',
        limit: 500,
        currentUsage: 470,
        remaining: 30,
        resetPeriod: 'MONTH',
        resetIntervalCount: 1,
        periodStart: new Date(T0),
        periodEnd: new Date(Date.UTC(2025, 3, 10, 9)),
      },
    ]);
    expect(result.budgets.map((b) => [b.entityId, b.currentUsage, b.remaining])).toEqual([
      ['team-a', 20, 80],
      ['acme', 470, 30],
    ]);
    const fits = checkGovernance(index, { entityIds: ['user-1'], capabilityId: 'tokens', requestedAmount: 30 }, T0);
    expect(fits).toMatchObject({ hasAccess: true, accessDeniedReason: null, deniedBy: [] });
  });

  it('names every denying budget, nearest entity first', () => {
    let index = governance(ORG, [budget('user-1', '10'), budget('team-a', '10'), budget('acme', '10')]);
    index = used(index, ['user-1'], '8');
    const result = checkGovernance(index, { entityIds: ['user-1'], capabilityId: 'tokens', requestedAmount: 3 }, T0);
    expect(result.deniedBy.map((b) => b.entityId)).toEqual(['user-1', 'team-a', 'acme']);
  });

  it('grants when no budget on the path governs the capability', () => {
    const index = governance(ORG, [budget('team-b', '0'), budget('acme', '0', { capabilityId: 'seats' })]);
    expect(checkGovernance(index, { entityIds: ['user-1'], capabilityId: 'tokens', requestedAmount: 1e6 }, T0)).toEqual(
      { hasAccess: true, accessDeniedReason: null, deniedBy: [], budgets: [] },
    );
  });

  it('grants exactly up to the limit, in decimals', () => {
    let index = governance(ORG, [budget('team-a', '0.3')]);
    index = used(index, ['user-1'], '0.1');
    const check = (requestedAmount: string) =>
      checkGovernance(index, { entityIds: ['user-2'], capabilityId: 'tokens', requestedAmount }, T0).hasAccess;
    expect(check('0.2')).toBe(true);
    expect(check('0.2000000001')).toBe(false);
  });

  it('with nothing requested, denies only a budget whose usage already passed its limit', () => {
    let index = governance(ORG, [budget('team-a', '5'), budget('acme', '5', { capabilityId: 'seats' })]);
    index = used(index, ['user-1'], '5');
    expect(checkGovernance(index, { entityIds: ['user-1'], capabilityId: 'tokens' }, T0).hasAccess).toBe(true);
    const zero = governance(ORG, [budget('team-a', '0')]);
    expect(checkGovernance(zero, { entityIds: ['user-1'], capabilityId: 'tokens' }, T0).hasAccess).toBe(true);
    expect(
      checkGovernance(zero, { entityIds: ['user-1'], capabilityId: 'tokens', requestedAmount: '0.01' }, T0).hasAccess,
    ).toBe(false);
  });

  it('evaluates a budget shared by two listed entities once', () => {
    let index = governance(ORG, [budget('user-1', '10'), budget('user-3', '10'), budget('acme', '100')]);
    index = used(index, ['user-1', 'user-3'], '4');
    const result = checkGovernance(
      index,
      { entityIds: ['user-1', 'user-3'], capabilityId: 'tokens', requestedAmount: 7 },
      T0,
    );
    expect(result.budgets.map((b) => [b.entityId, b.currentUsage])).toEqual([
      ['user-1', 4],
      ['user-3', 4],
      ['acme', 4],
    ]);
    expect(result.deniedBy.map((b) => b.entityId)).toEqual(['user-1', 'user-3']);
  });

  it('forgets usage of an ended period', () => {
    let index = governance(ORG, [budget('team-a', '10', { resetPeriod: 'DAY' })]);
    index = used(index, ['user-1'], '10');
    const request = { entityIds: ['user-1'], capabilityId: 'tokens', requestedAmount: 1 };
    expect(checkGovernance(index, request, T0 + DAY - 1).hasAccess).toBe(false);
    expect(checkGovernance(index, request, T0 + DAY).hasAccess).toBe(true);
  });

  it('refuses an unknown entity, no entity and a negative request', () => {
    const index = governance(ORG);
    expect(
      expectAllotError(
        () => checkGovernance(index, { entityIds: ['user-1', 'ghost'], capabilityId: 'tokens' }, T0),
        'ENTITY_NOT_FOUND',
      ).details,
    ).toEqual({ entityId: 'ghost' });
    expectAllotError(() => checkGovernance(index, { entityIds: [], capabilityId: 'tokens' }, T0), 'INVALID_INPUT');
    expectAllotError(
      () => checkGovernance(index, { entityIds: ['user-1'], capabilityId: 'tokens', requestedAmount: -1 }, T0),
      'INVALID_INPUT',
    );
  });
});

describe('properties', () => {
  const world = scenario.chain((s) => {
    const ids = idsOf(s.parents);
    return fc.record({
      s: fc.constant(s),
      entityIds: fc.subarray(ids, { minLength: 1, maxLength: Math.min(3, ids.length) }),
      capabilityId: fc.constantFrom(...CAPABILITIES),
      requestedAmount: fc.integer({ min: 0, max: 3000 }).map((n) => (n / 100).toString()),
    });
  });

  it('grants iff every budget on the paths has usage + requested <= limit, evaluating each once', () => {
    fc.assert(
      fc.property(world, ({ s, entityIds, capabilityId, requestedAmount }) => {
        const { index, now, events } = runScenario(s);
        const parentOf = new Map(pairsOf(s.parents));
        const onPaths = new Set(entityIds.flatMap((e) => modelPath(parentOf, e)));
        const governing = [...index.budgets.values()]
          .flatMap((byCapability) => [...byCapability.values()])
          .filter((b) => b.capabilityId === capabilityId && onPaths.has(b.entityId));
        const denying = governing.filter((b) =>
          modelUsage(parentOf, events, b, now).plus(requestedAmount).gt(new Decimal(b.limit)),
        );
        const result = checkGovernance(index, { entityIds, capabilityId, requestedAmount }, now);
        expect(result.hasAccess).toBe(denying.length === 0);
        expect(result.accessDeniedReason).toBe(denying.length === 0 ? null : 'BudgetExceeded');
        const sorted = (xs: readonly { entityId: string }[]) => xs.map((b) => b.entityId).sort();
        expect(sorted(result.deniedBy)).toEqual(sorted(denying));
        expect(sorted(result.budgets)).toEqual(sorted(governing));
      }),
      { numRuns: 150 },
    );
  });
});
