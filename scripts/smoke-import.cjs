// Requires the built package as CommonJS (through its exports map), SQLite store included.
const assert = require('node:assert/strict');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { Allot, ManualClock } = require('allot');

// The core must not drag in a database driver: stores load theirs from their own subpaths.
const loaded = () => Object.keys(require.cache).filter((m) => /node_modules[\\/](better-sqlite3|kysely)[\\/]/.test(m));
assert.deepEqual(loaded(), [], 'importing allot loaded a store dependency');
const { sqliteStore } = require('allot/stores/sqlite');

(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'allot-cjs-'));
  try {
    const allot = Allot.initialize({
      catalog: {
        features: [{ id: 'calls', featureType: 'NUMBER', meterType: 'Incremental' }],
        products: [{ id: 'p' }],
        plans: [{ id: 'basic', productId: 'p', entitlements: [{ featureId: 'calls', usageLimit: 5 }] }],
      },
      store: sqliteStore({ filename: join(dir, 'a.db') }),
      clock: new ManualClock('2025-01-01T00:00:00Z'),
    });
    await allot.provisionCustomer({ customerId: 'c', subscriptionParams: { planId: 'basic' } });
    await allot.reportUsage({ customerId: 'c', featureId: 'calls', value: 5 });
    const e = await allot.getMeteredEntitlement({
      customerId: 'c',
      featureId: 'calls',
      options: { requestedUsage: 1 },
    });
    assert.equal(e.hasAccess, false);
    await allot.close();
    console.log('CJS smoke import: ok');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
