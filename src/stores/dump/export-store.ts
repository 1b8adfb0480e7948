import type { Store, StoreReader } from '../store.js';
import {
  DUMP_FORMAT,
  DUMP_VERSION,
  type DumpLine,
  type DumpRecord,
  encodeDumpLine,
  IMPORT_SCOPE,
} from './dump-format.js';
import { assertNoUnfinishedImport, checkDumpArguments, type DumpProgress } from './import-markers.js';
import { snapshotStream } from './snapshot-stream.js';

/** Options of `exportStore`. */
export interface ExportStoreOptions {
  /** Called as records go out (every thousand or so, and once at the end); no total is known ahead. */
  readonly onProgress?: (progress: DumpProgress) => void;
}

/** Rows read per page: enough to amortise a round trip, few enough to keep memory flat. */
const PAGE = 1_000;
/** Before every instant a record holds, so reads that skip ended windows skip none. */
const EVERY_WINDOW = Number.MIN_SAFE_INTEGER;

/**
 * Everything a store holds, as the lines of a dump (JSON Lines, each ending in a newline): a
 * header, one record per line, and an end line counting them. Reads one consistent snapshot of
 * the store while the lines are consumed, so writes to the store from this process wait (SQLite,
 * memory) until the loop ends; do not use the store inside the loop. `importStore` rebuilds the
 * store from the lines, into any kind of store.
 *
 * @example
 * import { createWriteStream } from 'node:fs';
 * import { Readable } from 'node:stream';
 * import { pipeline } from 'node:stream/promises';
 * await pipeline(Readable.from(exportStore(store)), createWriteStream('allot.jsonl'));
 */
export async function* exportStore(store: Store, options: ExportStoreOptions = {}): AsyncGenerator<string> {
  const { onProgress } = options ?? {};
  checkDumpArguments('exportStore', store, onProgress);
  await store.open();
  let records = 0;
  for await (const line of snapshotStream(store, (reader) => dumpLines(reader, store.name))) {
    if (line.type !== 'header' && line.type !== 'end' && ++records % PAGE === 0)
      onProgress?.({ operation: 'export', done: records });
    yield encodeDumpLine(line);
  }
  onProgress?.({ operation: 'export', done: records });
}

async function* dumpLines(reader: StoreReader, source: string): AsyncGenerator<DumpLine> {
  await assertNoUnfinishedImport(reader, source);
  const exportId = globalThis.crypto.randomUUID();
  yield {
    type: 'header',
    format: DUMP_FORMAT,
    version: DUMP_VERSION,
    exportId,
    exportedAt: new Date().toISOString(),
    source,
  };
  let records = 0;
  for await (const record of dumpRecords(reader)) {
    records += 1;
    yield record;
  }
  yield { type: 'end', records };
}

/** Every record: the catalog's versions, then customer by customer, then the usage log and idempotency results. */
async function* dumpRecords(reader: StoreReader): AsyncGenerator<DumpRecord> {
  for (const record of await reader.listPackageVersions()) yield { type: 'packageVersion', record };
  for await (const customer of pages(
    (afterId?: string) => reader.listCustomers({ afterId, limit: PAGE }),
    (c) => c.id,
  ))
    yield* customerRecords(reader, customer.id);
  for (let after: string | undefined; ; ) {
    const page = await reader.listUsageLog({ after, limit: PAGE });
    for (const record of page.entries) yield { type: 'usageEntry', record };
    if (page.next === null) break;
    after = page.next;
  }
  const results = pages(
    (after?: { scope: string; key: string }) => reader.listIdempotencyResults({ after, limit: PAGE }),
    ({ scope, key }) => ({ scope, key }),
  );
  for await (const record of results) if (record.scope !== IMPORT_SCOPE) yield { type: 'idempotency', record };
}

/** A customer and everything that is theirs, in an order an import can write it in. */
async function* customerRecords(reader: StoreReader, customerId: string): AsyncGenerator<DumpRecord> {
  const state = await reader.getCustomerState(customerId, EVERY_WINDOW);
  if (state === undefined) return;
  yield { type: 'customer', record: state.customer };
  for (const record of state.subscriptions) yield { type: 'subscription', record };
  for (const record of state.promotions) yield { type: 'promotion', record };
  for (const record of state.usage) yield { type: 'usageCounter', record };
  yield* tag(
    'uniqueMember',
    pages(
      (after?: DumpRecordOf<'uniqueMember'>) => reader.listUniqueMembers({ customerId, after, limit: PAGE }),
      (m) => m,
    ),
  );
  yield* tag(
    'eventKey',
    pages(
      (afterKey?: string) => reader.listEventKeys({ customerId, afterKey, limit: PAGE }),
      (e) => e.idempotencyKey,
    ),
  );
  for (const record of await reader.listCreditGrants({ customerId })) yield { type: 'creditGrant', record };
  for (const pool of await reader.listCreditPools(customerId)) {
    const key = { customerId, currencyId: pool.currencyId, resourceId: pool.resourceId };
    const { total, revision, expiring } = pool.spent;
    yield {
      type: 'creditTotals',
      record: { ...key, debt: pool.debt, spent: total, revision, schedule: pool.schedule },
    };
    for (const { at, amount } of expiring) yield { type: 'creditExpiry', record: { ...key, at, amount } };
  }
  for (let afterSeq = 0; ; ) {
    const rows = await reader.listCreditLedger({ customerId, afterSeq, limit: PAGE });
    for (const { entry } of rows) yield { type: 'creditLedger', record: entry };
    const last = rows.at(-1);
    if (last === undefined || rows.length < PAGE) break;
    afterSeq = last.seq;
  }
  for (const record of await reader.listAutoRecharge(customerId)) yield { type: 'autoRecharge', record };
  const governance = await reader.getGovernance(customerId, EVERY_WINDOW);
  for (const record of governance.entities) yield { type: 'governanceEntity', record };
  for (const record of governance.budgets) yield { type: 'governanceBudget', record };
  for (const record of governance.usage) yield { type: 'governanceUsage', record };
}

type DumpRecordOf<K extends DumpRecord['type']> = Extract<DumpRecord, { type: K }>['record'];

async function* tag<K extends DumpRecord['type']>(
  type: K,
  records: AsyncIterable<DumpRecordOf<K>>,
): AsyncGenerator<DumpRecord> {
  for await (const record of records) yield { type, record } as DumpRecord;
}

/** Every row of a paged read: `read` takes the cursor `cursorOf` makes of the previous page's last row. */
async function* pages<R, C>(read: (after?: C) => Promise<readonly R[]>, cursorOf: (row: R) => C): AsyncGenerator<R> {
  for (let after: C | undefined; ; ) {
    const page = await read(after);
    yield* page;
    const last = page.at(-1);
    if (last === undefined || page.length < PAGE) return;
    after = cursorOf(last);
  }
}
