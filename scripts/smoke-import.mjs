// Imports the built package as ESM (through its exports map) and runs one check end to end.
import assert from 'node:assert/strict';
import { Allot, AllotError, ManualClock } from 'allot';
import { memoryStore } from 'allot/stores/memory';
import { sqliteStore } from 'allot/stores/sqlite';

assert.equal(typeof sqliteStore, 'function');
const allot = Allot.initialize({
  catalog: {
    features: [{ id: 'sso', featureType: 'BOOLEAN' }],
    products: [{ id: 'p' }],
    plans: [{ id: 'basic', productId: 'p', entitlements: [{ featureId: 'sso' }] }],
  },
  store: memoryStore(),
  clock: new ManualClock('2025-01-01T00:00:00Z'),
});
await allot.provisionCustomer({ customerId: 'c', subscriptionParams: { planId: 'basic' } });
assert.equal((await allot.getBooleanEntitlement({ customerId: 'c', featureId: 'sso' })).hasAccess, true);
await allot.provisionCustomer({ customerId: 'c' }).catch((e) => assert.ok(AllotError.is(e)));
await allot.close();
console.log('ESM smoke import: ok');
