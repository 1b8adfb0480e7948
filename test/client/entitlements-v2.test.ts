// The reference's V2 entitlement reads: one method for a feature or a credit currency, and the
// whole state with credit entitlements beside the features'.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AI_CREDITS, creditCatalog, monthlyCredits } from '../helpers/credit-fixtures.js';
import { errorCode, type Harness, harness, stores } from '../helpers/fixtures.js';

const catalog = creditCatalog({ planChanges: { pro: { creditEntitlements: monthlyCredits(100) } } });

describe.each(stores)('V2 entitlement reads ($name)', (fixture) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(fixture, { catalog, entitlementsFallback: { sso: { hasAccess: true } } });
    await h.allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'pro', skipTrial: true } });
  });
  afterEach(() => h.close());

  it('getEntitlementV2 answers a feature as getEntitlement does, with its type', async () => {
    await h.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 999 });
    const check = { customerId: 'acme', featureId: 'api-calls', options: { requestedUsage: 2 } };
    const v2 = await h.allot.getEntitlementV2(check);
    expect(v2).toEqual(await h.allot.getEntitlement(check));
    expect(v2).toMatchObject({ type: 'METERED', hasAccess: false, accessDeniedReason: 'RequestedUsageExceedingLimit' });
  });

  it('getEntitlementV2 answers a credit currency as getCreditEntitlement does: a currency, no type', async () => {
    await h.allot.consumeCredits({ customerId: 'acme', currencyId: AI_CREDITS, amount: 30, idempotencyKey: 'c1' });
    const credit = await h.allot.getEntitlementV2({
      customerId: 'acme',
      currencyId: AI_CREDITS,
      options: { requestedUsage: 80 },
    });
    expect(credit).toEqual(
      await h.allot.getCreditEntitlement({
        customerId: 'acme',
        currencyId: AI_CREDITS,
        options: { requestedUsage: 80 },
      }),
    );
    expect(credit).not.toHaveProperty('type');
    expect(credit).toMatchObject({
      hasAccess: false,
      accessDeniedReason: 'InsufficientCredits',
      currentBalance: 70,
      currency: { currencyId: AI_CREDITS },
    });
  });

  it('getEntitlementV2 takes a feature or a currency, never both nor neither', async () => {
    const both = { customerId: 'acme', featureId: 'sso', currencyId: AI_CREDITS };
    expect(await errorCode(h.allot.getEntitlementV2(both))).toBe('INVALID_INPUT');
    expect(await errorCode(h.allot.getEntitlementV2({ customerId: 'acme' }))).toBe('INVALID_INPUT');
  });

  it('getEntitlementsStateV2 lists the features’ entitlements, then the credit entitlements held', async () => {
    const state = await h.allot.getEntitlementsStateV2('acme');
    const v1 = await h.allot.getEntitlementsState('acme');
    expect(state.accessDeniedReason).toBeNull();
    expect(state.entitlements.slice(0, v1.entitlements.length)).toEqual(v1.entitlements);
    const credits = state.entitlements.slice(v1.entitlements.length);
    expect(credits).toEqual([await h.allot.getCreditEntitlement({ customerId: 'acme', currencyId: AI_CREDITS })]);
    expect(credits[0]).toMatchObject({ currentBalance: 100, totalGranted: 100 });
  });

  it('getEntitlementsStateV2 shows no credit entitlement where no credits were ever held', async () => {
    await h.allot.provisionCustomer({ customerId: 'beta', subscriptionParams: { planId: 'free' } });
    const state = await h.allot.getEntitlementsStateV2('beta');
    expect(state.entitlements.every((e) => 'type' in e)).toBe(true);
    await h.allot.grantCredits({ customerId: 'beta', currencyId: AI_CREDITS, amount: 5, displayName: 'Gift' });
    const after = await h.allot.getEntitlementsStateV2('beta');
    expect(after.entitlements.filter((e) => !('type' in e))).toMatchObject([{ currentBalance: 5 }]);
  });

  it('getEntitlementsStateV2 answers a missing customer with the reason, and a closed store from the fallbacks', async () => {
    expect(await h.allot.getEntitlementsStateV2('ghost')).toEqual({
      entitlements: [],
      accessDeniedReason: 'CustomerNotFound',
    });
    await h.allot.close();
    const closed = await h.allot.getEntitlementsStateV2('acme');
    expect(closed.accessDeniedReason).toBeNull();
    expect(closed.entitlements).toMatchObject([{ hasAccess: true, isFallback: true }]);
  });
});
