// `npm run example:from-stigg`: runs the unchanged Stigg-style integration (entitlements.ts) on allot,
// over a SQLite file in a temporary directory.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'allot-from-stigg-'));
process.env.ALLOT_DB = join(dir, 'allot.db');
// Imported after the variable is set: the client is a module singleton, as Stigg's docs advise.
const { canGenerate, onSignUp, recordGenerations } = await import('./entitlements.js');
const { default: stiggClient } = await import('./stigg-client.js');

try {
  const { customer } = await onSignUp('user-1', 'ada@example.com');
  assert.equal(customer.email, 'ada@example.com');

  for (let i = 1; i <= 3; i++) {
    assert.equal((await canGenerate('user-1')).hasAccess, true);
    const measurement = await recordGenerations('user-1');
    assert.equal(measurement.currentUsage, i);
    assert.ok(measurement.measurementId);
  }
  const denied = await canGenerate('user-1');
  assert.equal(denied.hasAccess, false);
  assert.equal(denied.accessDeniedReason, 'RequestedUsageExceedingLimit');
  assert.equal(denied.usageLimit, 3);
  console.log('3 generations granted and reported, the 4th denied (RequestedUsageExceedingLimit)');
  await stiggClient.close();
  console.log('ok');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
