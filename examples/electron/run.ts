// `npm run example:electron`: the main-process module under plain Node, with IPC stubbed in process.
// Two launches on one SQLite file: the renderer's usage survives the restart.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEntitlements } from './entitlements-main.js';
import { stubIpc } from './ipc.js';
import { entitlementsBridge } from './preload.js';

const dir = mkdtempSync(join(tmpdir(), 'allot-electron-'));
const launch = async () => {
  const { ipcMain, ipcRenderer } = stubIpc();
  const main = await startEntitlements(ipcMain, { filename: join(dir, 'allot.db'), customerId: 'local-user' });
  return { main, renderer: entitlementsBridge(ipcRenderer) };
};

try {
  const first = await launch();
  const sync = await first.renderer.check('cloud-sync');
  assert.equal(sync.hasAccess, false);
  assert.equal(sync.accessDeniedReason, 'NoFeatureEntitlementInSubscription');
  assert.deepEqual(await first.renderer.use('exports'), { granted: true, currentUsage: 1 });
  console.log('launch 1: cloud sync denied; 1 of 2 exports used');
  // A malformed request from the renderer rejects there with a plain message.
  await assert.rejects(first.renderer.use(42 as unknown as string), /expected a feature id, got number/);
  await first.main.close();

  const second = await launch(); // the same file: the customer and its usage are still there
  assert.deepEqual(await second.renderer.use('exports'), { granted: true, currentUsage: 2 });
  assert.deepEqual(await second.renderer.use('exports'), { granted: false, reason: 'RequestedUsageExceedingLimit' });
  const exports = await second.renderer.check('exports');
  assert.equal(exports.type === 'METERED' && exports.currentUsage, 2);
  console.log('launch 2: the 2nd export granted, the 3rd denied (RequestedUsageExceedingLimit)');
  await second.main.close();
  console.log('ok');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
