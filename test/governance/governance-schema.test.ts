import { describe, expect, it } from 'vitest';
import {
  checkGovernanceSchema,
  governanceBudgetSchema,
  governanceEntitySchema,
  ingestGovernanceSchema,
  removeBudgetSchema,
  setBudgetsSchema,
  upsertEntitiesSchema,
} from '../../src/governance/governance-schema.js';
import { at, fc, positiveDecimal } from './helpers.js';

describe('entity inputs', () => {
  it('accepts an entity with a parent, a type and metadata, and a root with parentId null', () => {
    const team = { entityId: 'team-a', parentId: 'acme', displayName: 'Team A', type: 'TEAM', metadata: { k: 'v' } };
    expect(governanceEntitySchema.parse(team)).toEqual(team);
    expect(governanceEntitySchema.parse({ entityId: 'acme', parentId: null })).toEqual({
      entityId: 'acme',
      parentId: null,
    });
  });

  it('refuses a blank id, unknown keys, non-string metadata, and an empty or oversized batch', () => {
    expect(governanceEntitySchema.safeParse({ entityId: ' ' }).success).toBe(false);
    expect(governanceEntitySchema.safeParse({ entityId: 'a', colour: 'red' }).success).toBe(false);
    expect(governanceEntitySchema.safeParse({ entityId: 'a', metadata: { k: 1 } }).success).toBe(false);
    expect(upsertEntitiesSchema.safeParse({ entities: [] }).success).toBe(false);
    const many = Array.from({ length: 1001 }, (_, i) => ({ entityId: `e${i}` }));
    expect(upsertEntitiesSchema.safeParse({ entities: many }).success).toBe(false);
    expect(upsertEntitiesSchema.safeParse({ entities: many.slice(0, 1000) }).success).toBe(true);
  });
});

describe('budget inputs', () => {
  it('keeps the limit as a decimal string and defaults resetPeriod to null', () => {
    expect(governanceBudgetSchema.parse({ entityId: 'acme', capabilityId: 'tokens', limit: 12.5 })).toEqual({
      entityId: 'acme',
      capabilityId: 'tokens',
      limit: '12.5',
      resetPeriod: null,
    });
  });

  it('parses the anchor from a Date, an ISO string or epoch ms', () => {
    const ms = at('2025-01-01T00:00:00Z');
    for (const anchor of [new Date(ms), '2025-01-01T00:00:00Z', ms])
      expect(
        governanceBudgetSchema.parse({ entityId: 'a', capabilityId: 't', limit: '1', resetPeriod: 'DAY', anchor }),
      ).toMatchObject({ anchor: ms, resetPeriod: 'DAY' });
  });

  it('refuses a negative limit, an unknown period and a bad anchor', () => {
    const base = { entityId: 'a', capabilityId: 't', limit: '1' };
    expect(governanceBudgetSchema.safeParse({ ...base, limit: '-1' }).success).toBe(false);
    expect(governanceBudgetSchema.safeParse({ ...base, limit: 0 }).success).toBe(true);
    expect(governanceBudgetSchema.safeParse({ ...base, resetPeriod: 'FORTNIGHT' }).success).toBe(false);
    expect(governanceBudgetSchema.safeParse({ ...base, anchor: 'yesterday' }).success).toBe(false);
    expect(setBudgetsSchema.safeParse({ budgets: [] }).success).toBe(false);
    expect(removeBudgetSchema.parse({ entityId: 'a', capabilityId: 't' })).toEqual({
      entityId: 'a',
      capabilityId: 't',
    });
  });
});

describe('check and ingest inputs', () => {
  it('defaults requestedAmount to 0 and bounds entityIds to 1..100', () => {
    expect(checkGovernanceSchema.parse({ entityIds: ['u'], capabilityId: 't' })).toEqual({
      entityIds: ['u'],
      capabilityId: 't',
      requestedAmount: '0',
    });
    expect(checkGovernanceSchema.safeParse({ entityIds: [], capabilityId: 't' }).success).toBe(false);
    const many = Array.from({ length: 101 }, (_, i) => `u${i}`);
    expect(checkGovernanceSchema.safeParse({ entityIds: many, capabilityId: 't' }).success).toBe(false);
  });

  it('requires an event amount above 0 and takes no timestamp: usage counts when it is ingested', () => {
    const event = { entityIds: ['u'], capabilityId: 't', amount: '0.5' };
    expect(ingestGovernanceSchema.parse({ events: [event], idempotencyKey: 'k1' })).toEqual({
      events: [event],
      idempotencyKey: 'k1',
    });
    expect(ingestGovernanceSchema.safeParse({ events: [{ ...event, timestamp: 0 }] }).success).toBe(false);
    expect(ingestGovernanceSchema.safeParse({ events: [{ ...event, amount: 0 }] }).success).toBe(false);
    expect(ingestGovernanceSchema.safeParse({ events: [{ ...event, amount: '0.00' }] }).success).toBe(false);
    expect(ingestGovernanceSchema.safeParse({ events: [] }).success).toBe(false);
  });
});

describe('properties', () => {
  it('a positive decimal string survives parsing unchanged', () => {
    fc.assert(
      fc.property(positiveDecimal, (amount) => {
        const parsed = ingestGovernanceSchema.parse({ events: [{ entityIds: ['u'], capabilityId: 't', amount }] });
        expect(parsed.events[0]?.amount).toBe(amount);
      }),
    );
  });
});
