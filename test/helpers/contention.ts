// The parent side of the cross-process contention tests (contention.test.ts on SQLite,
// postgres-contention.test.ts): starts contention-child.ts processes, hands each the same job and
// releases them all at once. Children live across jobs, since starting one (TypeScript, the store, the
// catalog) costs seconds on a small machine.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ContentionChildEnv, ContentionChildResult, ContentionJob } from './contention-child.js';

const childScript = join(import.meta.dirname, 'contention-child.ts');

/** One child process and its output lines, read one at a time. */
class Child {
  readonly process: ChildProcessWithoutNullStreams;
  readonly #lines: string[] = [];
  readonly #waiting: ((line: string | Error) => void)[] = [];
  #stderr = '';
  #exit: Error | undefined;

  constructor(env: ContentionChildEnv) {
    this.process = spawn(process.execPath, ['--import', 'tsx', childScript], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // A child that died closes its stdin; the error then shows through `next`.
    this.process.stdin.on('error', () => {});
    this.process.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderr += chunk;
    });
    createInterface({ input: this.process.stdout }).on('line', (line) => {
      const waiter = this.#waiting.shift();
      if (waiter) waiter(line);
      else this.#lines.push(line);
    });
    this.process.on('close', (code, signal) => {
      this.#exit = new Error(`contention child exited with ${code ?? signal}:\n${this.#stderr}`);
      for (const waiter of this.#waiting.splice(0)) waiter(this.#exit);
    });
    this.process.on('error', (error) => {
      this.#exit = error;
      for (const waiter of this.#waiting.splice(0)) waiter(error);
    });
  }

  /** The next line the child prints; rejects if it exits first. */
  async next(): Promise<string> {
    const line =
      this.#lines.shift() ??
      this.#exit ??
      (await new Promise<string | Error>((resolve) => {
        this.#waiting.push(resolve);
      }));
    if (line instanceof Error) throw line;
    return line;
  }

  send(line: string): void {
    this.process.stdin.write(`${line}\n`);
  }

  /** Ends its stdin (it closes its engine and exits) and waits for the exit; kills it if it hangs. */
  async close(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise((resolve) => this.process.once('close', resolve));
    this.process.stdin.end();
    const timer = setTimeout(() => this.process.kill(), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/** `processes` app instances on one store, each its own process; `race` runs a job on all of them at once. */
export class ContentionChildren {
  readonly #children: Child[];

  constructor(processes: number, env: ContentionChildEnv) {
    this.#children = Array.from({ length: processes }, () => new Child(env));
  }

  /** Hands every child the job, waits until all are warm, releases them together; their results. */
  async race(job: ContentionJob): Promise<ContentionChildResult[]> {
    for (const c of this.#children) c.send(JSON.stringify({ job }));
    const expect = async (c: Child, want: string) => {
      const line = await c.next();
      if (line !== want) throw new Error(`contention child said ${JSON.stringify(line)}, not ${want}`);
    };
    await Promise.all(this.#children.map((c) => expect(c, 'ready')));
    for (const c of this.#children) c.send('go');
    return Promise.all(this.#children.map(async (c) => JSON.parse(await c.next()) as ContentionChildResult));
  }

  async close(): Promise<void> {
    await Promise.all(this.#children.map((c) => c.close()));
  }
}

/** Starts `processes` children, runs one job on all of them at once, stops them; their results. */
export async function race(
  processes: number,
  env: ContentionChildEnv,
  job: ContentionJob,
): Promise<ContentionChildResult[]> {
  const children = new ContentionChildren(processes, env);
  try {
    return await children.race(job);
  } finally {
    await children.close();
  }
}

/** 1, 2, …, n. */
export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
