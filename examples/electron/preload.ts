// The preload script's half: what the renderer sees as `window.entitlements`. In preload.ts:
//
//   import { contextBridge, ipcRenderer } from 'electron';
//   contextBridge.exposeInMainWorld('entitlements', entitlementsBridge(ipcRenderer));
import type { Entitlement } from '../../src/index.js';
import { channels, type UseResult } from './entitlements-main.js';
import type { IpcRendererLike } from './ipc.js';

export function entitlementsBridge(ipcRenderer: IpcRendererLike) {
  return {
    check: (featureId: string) => ipcRenderer.invoke(channels.check, featureId) as Promise<Entitlement>,
    use: (featureId: string) => ipcRenderer.invoke(channels.use, featureId) as Promise<UseResult>,
  };
}
