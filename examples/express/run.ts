// `npm run example:express`: serves a gated route on an ephemeral port, calls it with fetch, and checks
// who got through and what was counted.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler } from 'express';
import { Allot } from '../../src/index.js';
import { memoryStore } from '../../src/stores/memory/index.js'; // sqliteStore({ filename }) in production
import { entitlementGate } from './entitlement-gate.js';

const allot = Allot.initialize({
  catalog: {
    features: [{ id: 'reports', featureType: 'NUMBER', meterType: 'Incremental' }],
    products: [{ id: 'app' }],
    plans: [
      { id: 'free', productId: 'app', entitlements: [{ featureId: 'reports', usageLimit: 3, resetPeriod: 'MONTH' }] },
    ],
  },
  store: memoryStore(),
});
await allot.waitForInitialization();
await allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'free' } });

const gate = entitlementGate(allot, { featureId: 'reports', customerId: (req) => req.get('x-customer-id') });
const app = express();
app.get('/reports', gate, (_req, res) => {
  res.json({ report: 'ok' });
});
app.get('/reports/broken', gate, () => {
  throw new Error('the report generator failed');
});
const onError: ErrorRequestHandler = (_error, _req, res, _next) => {
  res.status(500).json({ error: 'failed' });
};
app.use(onError);

const server = app.listen(0, '127.0.0.1');
await once(server, 'listening');
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const get = (path: string, customer?: string) =>
  fetch(`${base}${path}`, { headers: customer ? { 'x-customer-id': customer } : {} });
const used = async () => (await allot.getMeteredEntitlement({ customerId: 'acme', featureId: 'reports' })).currentUsage;

try {
  // A usage report lands after its response: wait for its event before reading the count.
  const reported = () =>
    new Promise<void>((resolve) => {
      const listener = () => {
        allot.removeListener('usageUpdated', listener);
        resolve();
      };
      allot.addListener('usageUpdated', listener);
    });
  assert.equal((await get('/reports')).status, 401);
  assert.equal((await get('/reports/broken', 'acme')).status, 500);
  assert.equal(await used(), 0, 'a failed request is not counted');

  for (let i = 1; i <= 3; i++) {
    const counted = reported();
    const res = await get('/reports', 'acme');
    assert.equal(res.status, 200);
    await counted;
    assert.equal(await used(), i);
  }
  console.log('acme: 3 reports granted and counted');

  const denied = await get('/reports', 'acme');
  assert.equal(denied.status, 402);
  assert.deepEqual(await denied.json(), {
    error: 'limit',
    reason: 'RequestedUsageExceedingLimit',
    usageLimit: 3,
    currentUsage: 3,
  });
  console.log('acme: the 4th is denied (RequestedUsageExceedingLimit)');

  const stranger = await get('/reports', 'nobody');
  assert.equal(stranger.status, 402);
  assert.equal(((await stranger.json()) as { reason: string }).reason, 'CustomerNotFound');
  console.log('an unknown customer is denied (CustomerNotFound)');
  assert.equal(await used(), 3, 'denied requests are not counted');
} finally {
  server.close();
  await once(server, 'close');
  await allot.close();
}
console.log('ok');
