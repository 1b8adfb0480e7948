// Where allot's warnings and caught errors go: the reference SDK's `logConfiguration`, with its
// default (errors only, to `console`).

/** The reference SDK's `Logger`: `console` is one, and so are most logging libraries' loggers. */
export interface Logger {
  log: (message: string, object?: unknown) => void;
  debug: (message: string, object?: unknown) => void;
  error: (message: string, error?: unknown) => void;
}

/**
 * Which messages reach the logger, as in the reference SDK: `ERROR` (the default) caught errors
 * only; `LOG` and `ALL` warnings too; `NONE` nothing.
 */
export const LogLevel = { ALL: 'ALL', NONE: 'NONE', LOG: 'LOG', ERROR: 'ERROR' } as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

/** `Allot.initialize`'s `logConfiguration`: either field may be left out (default `console` and `ERROR`). */
export interface LogConfiguration {
  logger?: Logger;
  logLevel?: LogLevel;
}

/**
 * Allot's messages to the configured logger, those its level lets through, each starting with
 * `[allot]`. Unlike the reference SDK, a logger given as a plain object is used as it is, never
 * merged into `console`.
 */
export class AllotLogger {
  readonly #logger: Logger;
  readonly #level: LogLevel;

  constructor(config: LogConfiguration = {}) {
    this.#logger = config.logger ?? console;
    this.#level = config.logLevel ?? LogLevel.ERROR;
  }

  /** An error allot caught and recovered from: reported at every level but `NONE`, through `logger.error`. */
  error(message: string, error: unknown): void {
    if (this.#level !== LogLevel.NONE) this.#send(() => this.#logger.error(`[allot] ${message}`, error));
  }

  /** Something worth knowing that is not an error: reported at `LOG` and `ALL`, through `logger.log`. */
  warn(message: string, detail: unknown): void {
    if (this.#level === LogLevel.LOG || this.#level === LogLevel.ALL)
      this.#send(() => this.#logger.log(`[allot] ${message}`, detail));
  }

  /** A logger that throws has nowhere to report to; it must not fail the call that was logging. */
  #send(write: () => void): void {
    try {
      write();
    } catch {}
  }
}
