// Requires the built package as CommonJS (through its exports map), SQLite store included; with
// ALLOT_TEST_POSTGRES_URL set, the PostgreSQL store too, in a schema of its own.
const assert = require('node:assert/strict');
const { randomBytes } = require('node:crypto');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { Allot, ManualClock } = require('allot');

// Every method of the reference SDK is on the built class.
assert.deepEqual(
  require('./sdk-methods.json').methods.filter((m) => typeof Allot.prototype[m] !== 'function'),
  [],
  'the CJS build lacks SDK methods',
);

// The core must not drag in a database driver: stores load theirs from their own subpaths.
const loaded = () =>
  Object.keys(require.cache).filter((m) => /node_modules[\\/](better-sqlite3|kysely|pg)[\\/]/.test(m));
assert.deepEqual(loaded(), [], 'importing allot loaded a store dependency');
const { sqliteStore } = require('allot/stores/sqlite');
// The PostgreSQL store loads pg when it opens, not when it is required.
const { postgresStore } = require('allot/stores/postgres');
assert.equal(typeof postgresStore, 'function');
assert.deepEqual(
  loaded().filter((m) => /node_modules[\\/]pg[\\/]/.test(m)),
  [],
  'requiring allot/stores/postgres loaded pg',
);

/** Provisions a customer on `store`, uses up its metered feature, and checks that one more is refused. */
async function check(store) {
  const allot = Allot.initialize({
    catalog: {
      features: [{ id: 'calls', featureType: 'NUMBER', meterType: 'Incremental' }],
      products: [{ id: 'p' }],
      plans: [{ id: 'basic', productId: 'p', entitlements: [{ featureId: 'calls', usageLimit: 5 }] }],
    },
    store,
    clock: new ManualClock('2025-01-01T00:00:00Z'),
  });
  await allot.provisionCustomer({ customerId: 'c', subscriptionParams: { planId: 'basic' } });
  await allot.reportUsage({ customerId: 'c', featureId: 'calls', value: 5 });
  const e = await allot.getMeteredEntitlement({ customerId: 'c', featureId: 'calls', options: { requestedUsage: 1 } });
  assert.equal(e.hasAccess, false);
  await allot.close();
}

(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'allot-cjs-'));
  try {
    await check(sqliteStore({ filename: join(dir, 'a.db') }));
    const url = process.env.ALLOT_TEST_POSTGRES_URL;
    if (url) await overPostgres(url);
    console.log(`CJS smoke import: ok${url ? ' (PostgreSQL included)' : ''}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});

/** The same check over `postgresStore({ connectionString, schema })`, in a fresh schema dropped after. */
async function overPostgres(url) {
  const schema = `smoke_${randomBytes(6).toString('hex')}`;
  try {
    await check(postgresStore({ connectionString: url, schema }));
  } finally {
    const pg = require('pg');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
}
