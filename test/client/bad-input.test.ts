import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Allot, AllotError } from '../../src/index.js';
import { catalog, errorCode, type Harness, harness, stores } from '../helpers/fixtures.js';

/** Calls with deliberately wrong types, as untyped JavaScript callers would make them. */
const loose = <T>(value: unknown) => value as T;

describe.each(stores)('bad input ($name)', (fixture) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(fixture);
    await h.allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'free' } });
  });
  afterEach(() => h.close());

  it('throws INVALID_INPUT with the zod issues for malformed arguments', async () => {
    try {
      await h.allot.reportUsage(loose({ customerId: 'acme', featureId: 'api-calls', value: 'ten' }));
      expect.unreachable();
    } catch (error) {
      expect(AllotError.is(error)).toBe(true);
      if (!AllotError.is(error)) return;
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.message).toMatch(/^\[allot\] reportUsage:/);
      expect(error.details).toEqual([expect.objectContaining({ path: ['value'] })]);
    }
  });

  it.each([
    ['an empty customer id', () => h.allot.provisionCustomer({ customerId: '' })],
    [
      'an unknown enum value',
      () => h.allot.reportUsage(loose({ customerId: 'acme', featureId: 'api-calls', value: 1, updateBehavior: 'ADD' })),
    ],
    [
      'a non-finite value',
      () => h.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: Number.POSITIVE_INFINITY }),
    ],
    [
      'a negative quantity',
      () =>
        h.allot.provisionSubscription({
          customerId: 'acme',
          planId: 'pro',
          addons: [{ addonId: 'extra-calls', quantity: -1 }],
        }),
    ],
    [
      'a fractional quantity',
      () =>
        h.allot.provisionSubscription({
          customerId: 'acme',
          planId: 'pro',
          billableFeatures: [{ featureId: 'seats', quantity: 1.5 }],
        }),
    ],
    ['an unknown field', () => h.allot.updateCustomer(loose({ customerId: 'acme', nickname: 'x' }))],
    [
      'an invalid date',
      () => h.allot.provisionSubscription(loose({ customerId: 'acme', planId: 'pro', startDate: 'yesterday' })),
    ],
    ['an invalid email', () => h.allot.updateCustomer({ customerId: 'acme', email: 'not-an-email' })],
    ['a non-string check id', () => h.allot.getBooleanEntitlement(loose({ customerId: 42, featureId: 'sso' }))],
    [
      'a negative requestedUsage',
      () =>
        h.allot.getMeteredEntitlement({ customerId: 'acme', featureId: 'api-calls', options: { requestedUsage: -1 } }),
    ],
    ['an empty bulk', () => h.allot.reportUsageBulk({ usages: [] })],
    ['a blank id', () => h.allot.provisionCustomer({ customerId: '   ' })],
    ['a control character in an id', () => h.allot.provisionCustomer({ customerId: 'a\u0000b' })],
    [
      'a date beyond the Date range',
      () => h.allot.provisionSubscription({ customerId: 'acme', planId: 'pro', startDate: 1e300 }),
    ],
    [
      'a fractional epoch',
      () => h.allot.provisionSubscription({ customerId: 'acme', planId: 'pro', startDate: Date.now() + 0.5 }),
    ],
    [
      'a usage value out of range',
      () => h.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 1e308 }),
    ],
    [
      'a subscription filter longer than one query takes',
      () => h.allot.getSubscriptions({ resourceId: Array.from({ length: 1001 }, (_, i) => `r${i}`) }),
    ],
    [
      'a misspelt check field',
      () => h.allot.getMeteredEntitlement(loose({ customerId: 'acme', featureId: 'api-calls', resourceID: 'r1' })),
    ],
  ])('rejects %s', async (_label, call) => {
    expect(await errorCode(call())).toBe('INVALID_INPUT');
  });

  it('rejects writes to unknown entities with their codes and leaves no partial write', async () => {
    expect(await errorCode(h.allot.provisionSubscription({ customerId: 'ghost', planId: 'free' }))).toBe(
      'CUSTOMER_NOT_FOUND',
    );
    expect(await errorCode(h.allot.provisionSubscription({ customerId: 'acme', planId: 'ghost' }))).toBe(
      'PLAN_NOT_FOUND',
    );
    expect(
      await errorCode(
        h.allot.provisionSubscription({
          customerId: 'acme',
          planId: 'pro',
          billableFeatures: [{ featureId: 'ghost', quantity: 1 }],
        }),
      ),
    ).toBe('FEATURE_NOT_FOUND');
    expect(await errorCode(h.allot.updateSubscription({ subscriptionId: 'ghost' }))).toBe('SUBSCRIPTION_NOT_FOUND');
    const subs = await h.allot.getSubscriptions({ customerId: 'acme' });
    expect(subs.data.map((s) => s.planId)).toEqual(['free']);
  });

  it('rejects an unknown event or a listener that is not a function', () => {
    expect(() => h.allot.addListener(loose<'usageUpdated'>('usageChanged'), () => {})).toThrowError(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => h.allot.addListener('usageUpdated', loose('not a function'))).toThrowError(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});

describe('bad engine options', () => {
  it.each([
    ['a store without its methods', { store: {} }],
    ['a clock without now()', { clock: { time: 1 } }],
    ['a fallback without hasAccess', { entitlementsFallback: { sso: { value: 1 } } }],
    ['a negative change interval', { changeCheckIntervalMs: -1 }],
    ['a fractional cache size', { maxCachedCustomers: 1.5 }],
    ['a misspelt option', { changeCheckIntervalMS: 5 }],
  ])('Allot.initialize rejects %s with INVALID_INPUT', (_label, options) => {
    expect(() => Allot.initialize(loose({ catalog, ...options }))).toThrowError(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});
