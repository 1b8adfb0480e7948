// A progress bar on stderr, drawn only on a terminal, at most every 100 ms.
import type { Io } from './io.js';

const WIDTH = 30;
const EVERY_MS = 100;

export interface ProgressBar {
  /** `done` of `total` units (a count when no total is known), labelled `unit`. */
  update(done: number, total?: number): void;
  /** Clears the bar. */
  end(): void;
}

const NONE: ProgressBar = { update() {}, end() {} };

/** A bar for `label`, or one that draws nothing when stderr is not a terminal. */
export function progressBar(io: Io, label: string, unit: string): ProgressBar {
  if (!io.interactive) return NONE;
  let drawnAt = 0;
  let drawn = false;
  const count = new Intl.NumberFormat('en-US');
  return {
    update(done, total) {
      const now = Date.now();
      if (now - drawnAt < EVERY_MS) return;
      drawnAt = now;
      drawn = true;
      let text = `${label} ${count.format(done)} ${unit}`;
      if (total !== undefined && total > 0) {
        const share = Math.min(1, done / total);
        const filled = Math.round(share * WIDTH);
        text = `${label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${Math.floor(share * 100)}% ${count.format(done)}/${count.format(total)} ${unit}`;
      }
      io.stderr.write(`\r${text}\u001b[K`);
    },
    end() {
      if (drawn) io.stderr.write('\r\u001b[K');
    },
  };
}
