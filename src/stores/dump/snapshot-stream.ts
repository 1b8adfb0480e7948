import type { Store, StoreReader } from '../store.js';

/**
 * What `produce` yields, pulled one item at a time, from inside one `store.read`: a stream that
 * sees one consistent snapshot however long the consumer takes. The read stays open until the
 * stream ends, so the consumer must not use the same store meanwhile; leaving the loop early (or
 * a throw in it) ends the read.
 */
export async function* snapshotStream<T>(
  store: Store,
  produce: (reader: StoreReader) => AsyncIterable<T>,
): AsyncGenerator<T> {
  // One slot between the read and the consumer: the read waits until its item was taken.
  let offer: ((item: IteratorResult<T>) => void) | undefined;
  let taken: ((stop: boolean) => void) | undefined;
  let failure: { error: unknown } | undefined;
  const next = () =>
    new Promise<IteratorResult<T>>((resolve) => {
      offer = resolve;
    });
  let pending = next();
  const reading = store
    .read(async (reader) => {
      for await (const item of produce(reader)) {
        const stop = new Promise<boolean>((resolve) => {
          taken = resolve;
        });
        offer?.({ value: item, done: false });
        if (await stop) return;
      }
    })
    .catch((error: unknown) => {
      failure = { error };
    })
    .finally(() => offer?.({ value: undefined, done: true }));
  let finished = false;
  try {
    for (;;) {
      const item = await pending;
      if (item.done) break;
      pending = next();
      yield item.value;
      taken?.(false);
    }
    finished = true;
  } finally {
    if (!finished) taken?.(true);
    await reading;
  }
  if (failure) throw failure.error;
}
