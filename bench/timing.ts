// How the bench times things, shared by every section and floor that awaits its calls.

/** A fixed pseudo-random access order over `size` items (xorshift32), so runs and floors compare. */
export function randomOrder(size: number, n: number): Uint32Array {
  const order = new Uint32Array(n);
  let x = 2463534242;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    order[i] = (x >>> 0) % size;
  }
  return order;
}

/**
 * `n` calls of `op` with `inFlight` outstanding at any time, after `warmUp` calls run the same way:
 * calls per second.
 */
export async function callsPerSecond(
  n: number,
  op: (i: number) => unknown,
  { inFlight = 1, warmUp = Math.min(n, 2000) }: { inFlight?: number; warmUp?: number } = {},
): Promise<number> {
  const run = async (count: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < count) await op(next++);
      }),
    );
  };
  await run(warmUp);
  const start = process.hrtime.bigint();
  await run(n);
  return (n / Number(process.hrtime.bigint() - start)) * 1e9;
}

/** Per-call latency over `n` calls after a warm-up, each timed with hrtime (which adds ~40 ns). */
export async function sampleLatency(
  n: number,
  op: (i: number) => unknown,
): Promise<{ nsPerOp: number; p50Ns: number; p99Ns: number }> {
  const samples = new Float64Array(n);
  for (let i = 0; i < Math.min(n, 10_000); i++) await op(i);
  // What setting up left behind is collected now (under --expose-gc), not during the timed calls.
  (globalThis as { gc?: () => void }).gc?.();
  const begin = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await op(i);
    samples[i] = Number(process.hrtime.bigint() - t);
  }
  const total = Number(process.hrtime.bigint() - begin);
  samples.sort();
  return { nsPerOp: total / n, p50Ns: samples[Math.floor(n * 0.5)] ?? 0, p99Ns: samples[Math.floor(n * 0.99)] ?? 0 };
}
