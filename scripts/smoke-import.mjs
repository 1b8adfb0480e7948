// Imports the built package as ESM (through its exports map) and runs one check end to end; with
// ALLOT_TEST_POSTGRES_URL set, the same check over the PostgreSQL store, in a schema of its own.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Allot, AllotError, ManualClock } from 'allot';
import { memoryStore } from 'allot/stores/memory';
import { postgresStore } from 'allot/stores/postgres';
import { sqliteStore } from 'allot/stores/sqlite';

/** Provisions a customer on `store`, checks the plan's boolean feature, and refuses a second provisioning. */
async function check(store) {
  const allot = Allot.initialize({
    catalog: {
      features: [{ id: 'sso', featureType: 'BOOLEAN' }],
      products: [{ id: 'p' }],
      plans: [{ id: 'basic', productId: 'p', entitlements: [{ featureId: 'sso' }] }],
    },
    store,
    clock: new ManualClock('2025-01-01T00:00:00Z'),
  });
  await allot.provisionCustomer({ customerId: 'c', subscriptionParams: { planId: 'basic' } });
  assert.equal((await allot.getBooleanEntitlement({ customerId: 'c', featureId: 'sso' })).hasAccess, true);
  await allot.provisionCustomer({ customerId: 'c' }).then(
    () => assert.fail('a second provisioning of one id must be refused'),
    (e) => assert.ok(AllotError.is(e)),
  );
  await allot.close();
}

assert.equal(typeof sqliteStore, 'function');
// Every method of the reference SDK is on the built class.
const { methods } = JSON.parse(readFileSync(new URL('./sdk-methods.json', import.meta.url), 'utf8'));
assert.deepEqual(
  methods.filter((m) => typeof Allot.prototype[m] !== 'function'),
  [],
  'the ESM build lacks SDK methods',
);
await check(memoryStore());
const url = process.env.ALLOT_TEST_POSTGRES_URL;
if (url) {
  const schema = `smoke_${randomBytes(6).toString('hex')}`;
  const { default: pg } = await import('pg');
  try {
    await check(postgresStore({ connectionString: url, schema }));
  } finally {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
}
console.log(`ESM smoke import: ok${url ? ' (PostgreSQL included)' : ''}`);
