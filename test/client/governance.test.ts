import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CatalogInput } from '../../src/index.js';
import { catalog, errorCode, type Harness, harness, stores } from '../helpers/fixtures.js';

const governed = {
  ...catalog,
  creditCurrencies: [
    { currencyId: 'ai-tokens', displayName: 'AI tokens', units: { singular: 'token', plural: 'tokens' } },
  ],
} satisfies CatalogInput;

const DAY = 86_400_000;

describe.each(stores)('governance ($name)', (fixture) => {
  let h: Harness;
  const owner = 'acme';
  const g = () => h.allot.governance;
  const tokens = (entityIds: string[], requestedAmount: number | string) =>
    g().check(owner, { entityIds, capabilityId: 'ai-tokens', requestedAmount });
  const use = (entityIds: string[], amount: number | string, idempotencyKey?: string) =>
    g().ingest(owner, {
      events: [{ entityIds, capabilityId: 'ai-tokens', amount }],
      ...(idempotencyKey ? { idempotencyKey } : {}),
    });
  const usage = async (entityId: string) =>
    (await g().getEntity(owner, { entityId })).budgets.find((b) => b.capabilityId === 'ai-tokens');

  beforeEach(async () => {
    h = await harness(fixture, { catalog: governed });
    await h.allot.provisionCustomer({ customerId: owner });
    await g().upsertEntities(owner, {
      entities: [
        { entityId: 'eng', parentId: 'org', type: 'TEAM' },
        { entityId: 'org', type: 'ORGANIZATION', displayName: 'Acme' },
        { entityId: 'ana', parentId: 'eng', type: 'USER' },
        { entityId: 'bo', parentId: 'eng', type: 'USER' },
      ],
    });
    await g().setBudgets(owner, {
      budgets: [
        { entityId: 'org', capabilityId: 'ai-tokens', limit: 1000, resetPeriod: 'MONTH' },
        { entityId: 'eng', capabilityId: 'ai-tokens', limit: 600, resetPeriod: 'MONTH' },
        { entityId: 'ana', capabilityId: 'ai-tokens', limit: '200.5', resetPeriod: 'DAY' },
      ],
    });
  });
  afterEach(() => h.close());

  it('denies a request a team budget allows when the organisation budget does not, naming it', async () => {
    await use(['org'], 900);
    const result = await tokens(['eng'], 150);
    expect(result).toMatchObject({ hasAccess: false, accessDeniedReason: 'BudgetExceeded' });
    expect(result.deniedBy).toMatchObject([{ entityId: 'org', currentUsage: 900, remaining: 100 }]);
    expect(result.budgets.map((b) => [b.entityId, b.remaining])).toEqual([
      ['eng', 600],
      ['org', 100],
    ]);
    expect((await tokens(['eng'], 100)).hasAccess).toBe(true);
  });

  it('counts ingested usage at every level once, even when two listed entities share ancestors', async () => {
    await use(['ana', 'bo'], 120);
    expect(await usage('ana')).toMatchObject({ currentUsage: 120, remaining: 80.5 });
    expect(await usage('eng')).toMatchObject({ currentUsage: 120, remaining: 480 });
    expect(await usage('org')).toMatchObject({ currentUsage: 120, remaining: 880 });
    const denied = await tokens(['ana'], 81);
    expect(denied.deniedBy.map((b) => b.entityId)).toEqual(['ana']);
  });

  it('resets each budget on its own period', async () => {
    await use(['ana'], 200);
    expect(await tokens(['ana'], 1)).toMatchObject({ hasAccess: false, deniedBy: [{ entityId: 'ana' }] });
    h.clock.advance(DAY);
    expect((await tokens(['ana'], 1)).hasAccess).toBe(true);
    expect(await usage('ana')).toMatchObject({ currentUsage: 0 });
    expect(await usage('eng')).toMatchObject({ currentUsage: 200 });
  });

  it('counts an ingest once per idempotency key, across restarts', async () => {
    expect(await use(['bo'], 10, 'req-1')).toEqual({ accepted: 1, duplicate: false });
    expect(await use(['bo'], 10, 'req-1')).toEqual({ accepted: 0, duplicate: true });
    const again = await h.reopen();
    expect(
      await again.governance.ingest(owner, {
        events: [{ entityIds: ['bo'], capabilityId: 'ai-tokens', amount: 10 }],
        idempotencyKey: 'req-1',
      }),
    ).toEqual({
      accepted: 0,
      duplicate: true,
    });
    expect(await usage('eng')).toMatchObject({ currentUsage: 10 });
  });

  it('applies an ingest all or nothing', async () => {
    const code = await errorCode(
      g().ingest(owner, {
        events: [
          { entityIds: ['ana'], capabilityId: 'ai-tokens', amount: 5 },
          { entityIds: ['ghost'], capabilityId: 'ai-tokens', amount: 5 },
        ],
      }),
    );
    expect(code).toBe('ENTITY_NOT_FOUND');
    expect(await usage('org')).toMatchObject({ currentUsage: 0 });
  });

  it('refuses malformed checks on the fast path as through zod', async () => {
    expect(
      await errorCode(g().check(owner, Object.assign([], { entityIds: ['ana'], capabilityId: 'ai-tokens' }))),
    ).toBe('INVALID_INPUT');
    for (const bad of [
      { entityIds: [] },
      { entityIds: [' '] },
      { capabilityId: 'ai\ttokens' },
      { requestedAmount: -1 },
      { requestedAmount: '1e3' },
      // A safe integer past the credit bound: the fast path must not take what zod refuses.
      { requestedAmount: 1e11 },
    ])
      expect(await errorCode(g().check(owner, { entityIds: ['ana'], capabilityId: 'ai-tokens', ...bad }))).toBe(
        'INVALID_INPUT',
      );
    expect(await errorCode(g().check(' ', { entityIds: ['ana'], capabilityId: 'ai-tokens' }))).toBe('INVALID_INPUT');
    expect((await tokens(['ana'], '0.5')).hasAccess).toBe(true);
  });

  it('refuses cycles, unknown entities, unknown capabilities and unknown owners, writing nothing', async () => {
    const tree = await g().listEntities(owner);
    expect(await errorCode(g().upsertEntities(owner, { entities: [{ entityId: 'org', parentId: 'ana' }] }))).toBe(
      'ENTITY_CYCLE',
    );
    expect(
      await errorCode(
        g().upsertEntities(owner, {
          entities: [
            { entityId: 'ops', parentId: 'org' },
            { entityId: 'x', parentId: 'nowhere' },
          ],
        }),
      ),
    ).toBe('ENTITY_NOT_FOUND');
    expect(
      await errorCode(g().setBudgets(owner, { budgets: [{ entityId: 'ghost', capabilityId: 'ai-tokens', limit: 1 }] })),
    ).toBe('ENTITY_NOT_FOUND');
    expect(
      await errorCode(g().setBudgets(owner, { budgets: [{ entityId: 'org', capabilityId: 'typo', limit: 1 }] })),
    ).toBe('INVALID_INPUT');
    expect(
      await errorCode(g().setBudgets(owner, { budgets: [{ entityId: 'org', capabilityId: 'sso', limit: -1 }] })),
    ).toBe('INVALID_INPUT');
    expect(await errorCode(g().removeEntity(owner, { entityId: 'eng' }))).toBe('INVALID_OPERATION');
    expect(await errorCode(g().removeBudget(owner, { entityId: 'bo', capabilityId: 'ai-tokens' }))).toBe(
      'BUDGET_NOT_FOUND',
    );
    expect(await errorCode(g().check('nobody', { entityIds: ['org'], capabilityId: 'ai-tokens' }))).toBe(
      'CUSTOMER_NOT_FOUND',
    );
    expect(await g().listEntities(owner)).toEqual(tree);
    const reopened = await h.reopen();
    expect(await reopened.governance.listEntities(owner)).toEqual(tree);
  });

  it('keeps the tree, budgets and usage across a restart', async () => {
    await use(['ana'], 42);
    const before = await g().getEntity(owner, { entityId: 'ana' });
    const again = await h.reopen();
    expect(await again.governance.getEntity(owner, { entityId: 'ana' })).toEqual(before);
    expect(before).toMatchObject({ path: ['ana', 'eng', 'org'], type: 'USER', parentId: 'eng' });
  });

  it('removes a leaf with its budgets, and a budget with its usage', async () => {
    await use(['ana'], 5);
    await g().removeEntity(owner, { entityId: 'ana' });
    expect((await g().listEntities(owner)).map((e) => e.entityId)).toEqual(['org', 'eng', 'bo']);
    await g().removeBudget(owner, { entityId: 'eng', capabilityId: 'ai-tokens' });
    expect((await tokens(['bo'], 999)).budgets.map((b) => b.entityId)).toEqual(['org']);
    await g().setBudgets(owner, {
      budgets: [{ entityId: 'eng', capabilityId: 'ai-tokens', limit: 10, resetPeriod: 'MONTH' }],
    });
    expect(await usage('eng')).toMatchObject({ currentUsage: 0 });
  });

  it('counts afresh when a budget changes period, in this engine and in a fresh one', async () => {
    await use(['org'], 80);
    // The org budget becomes a DAY budget (same anchor), then a MONTH one again a day later.
    const set = (resetPeriod: 'DAY' | 'MONTH') =>
      g().setBudgets(owner, { budgets: [{ entityId: 'org', capabilityId: 'ai-tokens', limit: 100, resetPeriod }] });
    await set('DAY');
    await use(['org'], 30);
    h.clock.advance({ days: 1, hours: 1 });
    await set('MONTH');
    const here = await tokens(['org'], 30);
    const there = await (await h.reopen()).governance.check(owner, {
      entityIds: ['org'],
      capabilityId: 'ai-tokens',
      requestedAmount: 30,
    });
    expect(here.budgets[0]?.currentUsage).toBe(80);
    expect(there.budgets[0]?.currentUsage).toBe(80);
    expect([here.hasAccess, there.hasAccess]).toEqual([false, false]);
  });

  it('lists children oldest first, in this engine and in a fresh one', async () => {
    h.clock.advance({ minutes: 1 });
    await g().upsertEntities(owner, { entities: [{ entityId: 'zoe', parentId: 'eng' }] });
    h.clock.advance({ minutes: 1 });
    await g().upsertEntities(owner, { entities: [{ entityId: 'al', parentId: 'eng' }] });
    // Created together, children list by id; an older entity moved in lists by its own age.
    await g().upsertEntities(owner, {
      entities: [
        { entityId: 'zed', parentId: 'org' },
        { entityId: 'amy', parentId: 'org' },
        { entityId: 'bo', parentId: 'org' },
      ],
    });
    const here = [
      (await g().getEntity(owner, { entityId: 'eng' })).children,
      (await g().getEntity(owner, { entityId: 'org' })).children,
    ];
    expect(here).toEqual([
      ['ana', 'zoe', 'al'],
      ['bo', 'eng', 'amy', 'zed'],
    ]);
    const reopened = (await h.reopen()).governance;
    expect([
      (await reopened.getEntity(owner, { entityId: 'eng' })).children,
      (await reopened.getEntity(owner, { entityId: 'org' })).children,
    ]).toEqual(here);
  });

  it('answers checks of a warm owner from memory', async () => {
    await tokens(['ana'], 1);
    const reads = vi.spyOn(h.store, 'read');
    expect((await tokens(['ana'], 1)).hasAccess).toBe(true);
    expect(reads).not.toHaveBeenCalled();
  });
});
