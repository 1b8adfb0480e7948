/**
 * A store instance's name on the rows it writes to the shared journal or change feed, so its own
 * commits are not news to it: 32 random bits as hex. Math.random rather than `globalThis.crypto`,
 * whose first use loads node's crypto (~2 ms before a fresh process's first check); V8 seeds it
 * from the OS in each process, and the id guards against no adversary.
 */
export function newOrigin(): string {
  return Math.floor(Math.random() * 2 ** 32)
    .toString(16)
    .padStart(8, '0');
}
