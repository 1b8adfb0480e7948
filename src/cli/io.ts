// Where the command line reads and writes: the process's streams, or a test's.

export interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
  /** Whether stderr is a terminal: progress bars are drawn only then. */
  readonly interactive: boolean;
}

/** The process's own streams. */
export function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    interactive: process.stderr.isTTY === true,
  };
}

/** Writes `text` and waits while the stream is full, so a large output never piles up in memory. */
export function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (stream.write(text)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      stream.off('drain', drained);
      stream.off('error', settle);
      if (error) reject(error);
      else resolve();
    };
    const drained = () => settle();
    stream.once('drain', drained);
    stream.once('error', settle);
  });
}
