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
