// When this instance sends its NOTIFY. PostgreSQL serialises every committing transaction that
// notified, cluster-wide (a global lock held through the commit's WAL flush, so notifications
// queue in commit order): a NOTIFY on every write would stop commits of unrelated customers from
// sharing a flush. So a write carries the NOTIFY only when the last one was at least `gapMs` ago;
// the writes in between owe one, sent once, `gapMs` after the last, after their commits. Readers
// learn of a commit within `gapMs` (plus delivery); the feed itself never skips one.

/** Schedules this instance's notifications: at most one per `gapMs`, and none owed is dropped. */
export class Notifier {
  readonly #gapMs: number;
  readonly #send: () => Promise<unknown>;
  #lastAt = Number.NEGATIVE_INFINITY;
  #owed: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  constructor(gapMs: number, send: () => Promise<unknown>) {
    this.#gapMs = gapMs;
    this.#send = send;
  }

  /** Whether the commit about to be made should carry the NOTIFY itself (else call `owe` after it). */
  claim(): boolean {
    const now = performance.now();
    if (this.#owed !== undefined || now - this.#lastAt < this.#gapMs) return false;
    this.#lastAt = now;
    return true;
  }

  /** After a commit that did not carry the NOTIFY: one is sent, `gapMs` after the last, unless already due. */
  owe(): void {
    if (this.#owed !== undefined || this.#stopped) return;
    const delay = Math.max(0, this.#lastAt + this.#gapMs - performance.now());
    this.#owed = setTimeout(() => {
      this.#owed = undefined;
      this.#lastAt = performance.now();
      // Best effort: a lost one costs readers a poll interval.
      this.#send().catch(() => undefined);
    }, delay);
    this.#owed.unref?.();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#owed);
    this.#owed = undefined;
  }
}
