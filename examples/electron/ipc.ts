// The parts of Electron's `ipcMain` and `ipcRenderer` the recipe uses, typed structurally so this
// folder needs no electron dependency, and an in-process stand-in for both that `run.ts` uses
// under plain Node.

/** What the module takes from `ipcMain` (Electron's has these two methods with these shapes). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: unknown, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** What the preload takes from `ipcRenderer`. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
}

/**
 * One process's `ipcMain` and `ipcRenderer`, wired to each other. Faithful where it matters:
 * arguments and results cross by structured clone, as over Electron's IPC, so a handler that
 * returned a function or a class instance fails here too, and a handler's error reaches the
 * renderer as a plain `Error` carrying only its message (its class and `code` do not cross).
 */
export function stubIpc(): { ipcMain: IpcMainLike; ipcRenderer: IpcRendererLike } {
  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  return {
    ipcMain: {
      handle(channel, listener) {
        if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
        handlers.set(channel, listener);
      },
      removeHandler: (channel) => handlers.delete(channel),
    },
    ipcRenderer: {
      async invoke(channel, ...args) {
        const handler = handlers.get(channel);
        if (!handler) throw new Error(`No handler registered for '${channel}'`);
        try {
          return structuredClone(await handler({ sender: 'renderer' }, ...structuredClone(args)));
        } catch (error) {
          throw new Error(`Error invoking remote method '${channel}': ${String(error)}`);
        }
      },
    },
  };
}
