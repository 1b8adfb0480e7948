// Electron's main process owns allot and its SQLite file; the renderer asks over IPC. In main.ts:
//
//   import { app, ipcMain } from 'electron';
//   const entitlements = await startEntitlements(ipcMain, {
//     filename: join(app.getPath('userData'), 'allot.db'), customerId: account.id,
//   });
//   app.on('will-quit', () => entitlements.close());
//
// better-sqlite3 is a native module: rebuild it for Electron's ABI (`npx @electron/rebuild`).
import { AccessDeniedReason, Allot, AllotError, type CatalogInput } from '../../src/index.js'; // from 'allot'
import { sqliteStore } from '../../src/stores/sqlite/index.js'; // from 'allot/stores/sqlite'
import type { IpcMainLike } from './ipc.js';

export const catalog: CatalogInput = {
  features: [
    { id: 'exports', featureType: 'NUMBER', meterType: 'Incremental' },
    { id: 'cloud-sync', featureType: 'BOOLEAN' },
  ],
  products: [{ id: 'desktop' }],
  plans: [
    {
      id: 'free',
      productId: 'desktop',
      entitlements: [{ featureId: 'exports', usageLimit: 2, resetPeriod: 'MONTH' }],
    },
  ],
};

/** The channels the renderer may invoke, and nothing else: the renderer runs web content. */
export const channels = { check: 'entitlements:check', use: 'entitlements:use' } as const;

/** What `use` answers: plain data, since an `AllotError`'s class and code would not cross IPC. */
export type UseResult = { granted: true; currentUsage: number } | { granted: false; reason: string };

export async function startEntitlements(ipcMain: IpcMainLike, options: { filename: string; customerId: string }) {
  const { customerId } = options;
  const allot = Allot.initialize({ catalog, store: sqliteStore({ filename: options.filename }) });
  await allot.waitForInitialization();
  // The file outlives the process: provision on the first launch only.
  await allot.provisionCustomer({ customerId, subscriptionParams: { planId: 'free' } }).catch((error: unknown) => {
    if (!(AllotError.is(error) && error.code === 'CUSTOMER_ALREADY_EXISTS')) throw error;
  });

  // Main fills in whose entitlements they are; the renderer names only a feature. Checks answer from
  // memory after the first, so the renderer may ask as often as it renders.
  ipcMain.handle(channels.check, (_event, featureId) =>
    allot.getEntitlement({ customerId, featureId: str(featureId) }),
  );
  // One use per call, checked and recorded in one transaction: a double click cannot spend past the
  // limit, and the renderer cannot choose an amount.
  ipcMain.handle(channels.use, async (_event, featureId): Promise<UseResult> => {
    const result = await allot.checkAndReportUsage({ customerId, featureId: str(featureId), value: 1 });
    return result.hasAccess
      ? { granted: true, currentUsage: result.usage?.currentUsage ?? 0 }
      : { granted: false, reason: result.entitlement.accessDeniedReason ?? AccessDeniedReason.Unknown };
  });

  return {
    allot,
    async close() {
      for (const channel of Object.values(channels)) ipcMain.removeHandler(channel);
      await allot.close();
    },
  };
}

/** IPC arguments are whatever the renderer sent; allot validates them too, but fail with a plain message first. */
function str(value: unknown): string {
  if (typeof value !== 'string') throw new Error(`expected a feature id, got ${typeof value}`);
  return value;
}
