// childrenOf (reload) orders children by (createdAt, id), but upsertEntities (warm engine) appends
// in batch / write order: a warm engine and a reopened one list different children orders.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CatalogInput } from '../../src/index.js';
import { catalog, type Harness, harness, stores } from '../helpers/fixtures.js';

const governed = {
  ...catalog,
  creditCurrencies: [
    { currencyId: 'ai-tokens', displayName: 'AI tokens', units: { singular: 'token', plural: 'tokens' } },
  ],
} satisfies CatalogInput;

describe.each(stores)('governance children order, warm vs reopened ($name)', (fixture) => {
  let h: Harness;
  const owner = 'acme';
  beforeEach(async () => {
    h = await harness(fixture, { catalog: governed });
    await h.allot.provisionCustomer({ customerId: owner });
  });
  afterEach(() => h.close());

  const both = async (entityId: string) => {
    const warm = (await h.allot.governance.getEntity(owner, { entityId })).children;
    const cold = (await (await h.reopen()).governance.getEntity(owner, { entityId })).children;
    return { warm, cold };
  };

  it('children created in one batch (same createdAt) list by id in both engines', async () => {
    await h.allot.governance.upsertEntities(owner, {
      entities: [
        { entityId: 'org' },
        { entityId: 'zed', parentId: 'org' },
        { entityId: 'ana', parentId: 'org' },
      ],
    });
    const { warm, cold } = await both('org');
    expect(warm).toEqual(cold);
  });

  it('an older entity re-parented lists where a reload puts it', async () => {
    await h.allot.governance.upsertEntities(owner, { entities: [{ entityId: 'org' }, { entityId: 'old' }] });
    h.clock.advance({ minutes: 1 });
    await h.allot.governance.upsertEntities(owner, { entities: [{ entityId: 'new', parentId: 'org' }] });
    h.clock.advance({ minutes: 1 });
    await h.allot.governance.upsertEntities(owner, { entities: [{ entityId: 'old', parentId: 'org' }] });
    const { warm, cold } = await both('org');
    expect(warm).toEqual(cold);
  });
});
