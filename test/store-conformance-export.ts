// The store contract's export reads and import writes, and `exportStore` / `importStore` through
// them: part of the conformance suite every store runs (see store-conformance.ts).
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UsageOp } from '../src/core/usage-aggregate.js';
import type { CreditGrantRecord, CreditLedgerEntry } from '../src/credits/credit-records.js';
import { AllotError } from '../src/errors.js';
import type { EntitlementSpec, UsageRecord } from '../src/model/records.js';
import { exportStore } from '../src/stores/dump/export-store.js';
import { importStore } from '../src/stores/dump/import-store.js';
import type { Store, StoreReader, StoreTransaction, UsageEntry, UsageKey } from '../src/stores/store.js';
import { customer, type StoreHarness, subscription, usageEntry } from './store-conformance.js';

const FC_SEED = Number(process.env.FC_SEED ?? 20_261_121);
const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Before every instant the tests use: reads that skip ended windows skip none. */
const ALL = Number.MIN_SAFE_INTEGER;

/** A usage entry of feature `f1` in window `w1` unless told otherwise. */
const entry = (
  customerId: string,
  amount: number,
  { featureId = 'f1', window = 'w1', ...rest }: Partial<UsageEntry> = {},
): UsageEntry => usageEntry(customerId, featureId, window, amount, rest);

const grant = (id: string, customerId: string, overrides: Partial<CreditGrantRecord> = {}): CreditGrantRecord => ({
  id,
  customerId,
  currencyId: 'tokens',
  resourceId: null,
  grantType: 'PAID',
  amount: '50.5',
  consumed: '10',
  priority: 0,
  effectiveAt: T0,
  expireAt: T0 + 30 * DAY,
  cost: { amount: '9.99', currency: 'USD' },
  displayName: 'Top-up',
  comment: null,
  metadata: {},
  source: null,
  createdAt: T0,
  updatedAt: T0,
  activatedAt: T0,
  expiredAt: null,
  voidedAt: null,
  recurrence: null,
  rollover: null,
  refilledAt: null,
  ...overrides,
});

const ledger = (id: string, customerId: string, overrides: Partial<CreditLedgerEntry> = {}): CreditLedgerEntry => ({
  id,
  customerId,
  currencyId: 'tokens',
  resourceId: null,
  grantId: 'g1',
  eventType: 'CREDITS_CONSUMED',
  amount: '-1.25',
  at: T0,
  dimensions: { model: 'large' },
  ...overrides,
});

const recharge = {
  isEnabled: true,
  thresholdType: 'CREDIT_AMOUNT' as const,
  thresholdValue: '10',
  targetBalance: '100',
  maxSpendLimit: null,
  grantExpirationPeriod: null,
};

/** The lines `exportStore` yields. */
async function dump(store: Store): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of exportStore(store)) lines.push(line);
  return lines;
}

async function codeOf(promise: Promise<unknown>): Promise<unknown> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return AllotError.is(error) ? error.code : error;
}

/** Every row of a paged read. */
async function all<R, C>(read: (after?: C) => Promise<readonly R[]>, cursor: (row: R) => C): Promise<R[]> {
  const rows: R[] = [];
  for (let after: C | undefined; ; ) {
    const page = await read(after);
    rows.push(...page);
    const last = page.at(-1);
    if (last === undefined) return rows;
    after = cursor(last);
  }
}

/**
 * What a store answers about everything it holds, through the reads the engine uses (and the
 * export reads), each list in a fixed order: two stores holding the same data answer the same.
 */
async function contents(reader: StoreReader, now: number) {
  const customers = await all(
    (afterId?: string) => reader.listCustomers({ afterId, limit: 7 }),
    (c) => c.id,
  );
  const perCustomer = [];
  for (const { id: customerId } of customers) {
    const state = await reader.getCustomerState(customerId, ALL);
    const counters = [...new Map((state?.usage ?? []).map((u) => [`${u.resourceId}/${u.featureId}`, u])).values()];
    const history = [];
    for (const u of counters) {
      const key: UsageKey = { customerId, resourceId: u.resourceId, featureId: u.featureId };
      const hours = await reader.summarizeUsage({
        ...key,
        from: T0 - 2 * DAY,
        before: T0 + 2 * DAY,
        origin: T0 - 2 * DAY,
        width: HOUR,
      });
      history.push({
        entries: await reader.listUsageEntries({ ...key, ranges: [{ from: ALL, before: Number.MAX_SAFE_INTEGER }] }),
        // A cell's stretch may be wider than its entries span (the contract allows it), so it is left out.
        hours: hours.map(({ start, end, ...summary }) => summary),
      });
    }
    const windows: (UsageRecord & { aggregate: unknown })[] = [];
    for (const u of state?.usage ?? []) windows.push({ ...u, aggregate: await reader.getUsage(u) });
    perCustomer.push({
      state,
      current: await reader.getCustomerState(customerId, now),
      windows,
      history,
      events: await all(
        (afterKey?: string) => reader.listEventKeys({ customerId, afterKey, limit: 3 }),
        (e) => e.idempotencyKey,
      ),
      members: await all(
        (after?: Parameters<StoreReader['listUniqueMembers']>[0]['after']) =>
          reader.listUniqueMembers({ customerId, after, limit: 3 }),
        (m) => m,
      ),
      grants: await reader.listCreditGrants({ customerId }),
      pools: await reader.listCreditPools(customerId),
      ledger: (await reader.listCreditLedger({ customerId, limit: 1_000 })).map((row) => row.entry),
      consumption: await reader.listCreditConsumption({ customerId, from: ALL, before: Number.MAX_SAFE_INTEGER }),
      fields: await reader.listCreditEventFields({ customerId }),
      recharge: await reader.listAutoRecharge(customerId),
      governance: await reader.getGovernance(customerId, ALL),
    });
  }
  const idempotency = await all(
    (after?: { scope: string; key: string }) => reader.listIdempotencyResults({ after, limit: 4 }),
    ({ scope, key }) => ({ scope, key }),
  );
  return {
    customers,
    perCustomer,
    packages: await reader.listPackageVersions(),
    idempotency: idempotency.filter((r) => r.scope !== 'allot:import'),
  };
}

/** The contract's export reads and import writes, and a dump's round trip, on the store `factory` makes. */
export function describeExportConformance(factory: () => Promise<StoreHarness>): void {
  let harness: StoreHarness;
  let store: Store;
  const others: StoreHarness[] = [];
  const write = <T>(fn: (tx: StoreTransaction) => Promise<T>) => store.transaction(['customer:c1'], fn);
  /** Another store of the same kind, fresh and open, closed after the test. */
  const fresh = async (): Promise<Store> => {
    const other = await factory();
    others.push(other);
    await other.store.open();
    return other.store;
  };

  beforeEach(async () => {
    harness = await factory();
    store = harness.store;
    await store.open();
  });

  afterEach(async () => {
    for (const other of others.splice(0)) {
      await other.store.close();
      await other.cleanup?.();
    }
    await store.close();
    await harness.cleanup?.();
  });

  describe('export reads', () => {
    it('lists customers by id, archived ones too, a page after an exclusive cursor', async () => {
      await write(async (tx) => {
        for (const id of ['c3', 'c1', 'c10', 'c2'])
          await tx.putCustomer(customer(id, { archivedAt: id === 'c2' ? T0 : null }));
      });
      await store.read(async (r) => {
        expect((await r.listCustomers({ limit: 10 })).map((c) => c.id)).toEqual(['c1', 'c10', 'c2', 'c3']);
        expect((await r.listCustomers({ afterId: 'c10', limit: 1 })).map((c) => c.id)).toEqual(['c2']);
        expect(await r.listCustomers({ afterId: 'c3', limit: 10 })).toEqual([]);
        expect(await r.listCustomers({ limit: 0 })).toEqual([]);
        expect((await r.listCustomers({ afterId: 'c1', limit: 1 }))[0]).toEqual(customer('c10'));
      });
    });

    it("lists a customer's event keys by key, with when they arrived, and no one else's", async () => {
      const event = (customerId: string, idempotencyKey: string, createdAt: number) => ({
        customerId,
        idempotencyKey,
        eventName: 'e',
        resourceId: null,
        dimensions: {},
        timestamp: T0,
        createdAt,
      });
      await write((tx) =>
        tx.putEvents([event('c1', 'b', T0 + 2), event('c1', 'a', T0 + 5), event('c2', 'a', T0), event('c1', 'c', T0)]),
      );
      await store.read(async (r) => {
        expect(await r.listEventKeys({ customerId: 'c1', limit: 10 })).toEqual([
          { customerId: 'c1', idempotencyKey: 'a', createdAt: T0 + 5 },
          { customerId: 'c1', idempotencyKey: 'b', createdAt: T0 + 2 },
          { customerId: 'c1', idempotencyKey: 'c', createdAt: T0 },
        ]);
        expect(
          (await r.listEventKeys({ customerId: 'c1', afterKey: 'a', limit: 1 })).map((e) => e.idempotencyKey),
        ).toEqual(['b']);
        expect(await r.listEventKeys({ customerId: 'c3', limit: 10 })).toEqual([]);
      });
      await write((tx) => tx.pruneUsageHistory(T0 + 3));
      expect(
        (await store.read((r) => r.listEventKeys({ customerId: 'c1', limit: 10 }))).map((e) => e.idempotencyKey),
      ).toEqual(['a']);
    });

    it("lists a customer's UNIQUE members by resource (customer-wide first), feature, window and member", async () => {
      const key = (featureId: string, window: string, resourceId: string | null = null) => ({
        customerId: 'c1',
        resourceId,
        featureId,
        window,
      });
      await write(async (tx) => {
        await tx.addUniqueMember(key('f2', 'w1'), 'bob');
        await tx.addUniqueMember(key('f1', 'w2'), 'alice');
        await tx.addUniqueMember(key('f1', 'w1', 'r1'), 'alice');
        await tx.addUniqueMember(key('f1', 'w1'), 'carol');
        await tx.addUniqueMember(key('f1', 'w1'), 'alice');
        await tx.addUniqueMember({ ...key('f1', 'w1'), customerId: 'c2' }, 'dave');
      });
      const members = await store.read((r) => r.listUniqueMembers({ customerId: 'c1', limit: 10 }));
      expect(members.map((m) => [m.resourceId, m.featureId, m.window, m.member])).toEqual([
        [null, 'f1', 'w1', 'alice'],
        [null, 'f1', 'w1', 'carol'],
        [null, 'f1', 'w2', 'alice'],
        [null, 'f2', 'w1', 'bob'],
        ['r1', 'f1', 'w1', 'alice'],
      ]);
      const [, second, third] = members;
      expect(await store.read((r) => r.listUniqueMembers({ customerId: 'c1', after: second, limit: 1 }))).toEqual([
        third,
      ]);
    });

    it('lists idempotency results by scope then key, with their result and when they were stored', async () => {
      await write(async (tx) => {
        await tx.putIdempotencyResult('usage:c2', 'k1', { value: 2 }, T0 + 2);
        await tx.putIdempotencyResult('usage:c1', 'k2', null, T0 + 1);
        await tx.putIdempotencyResult('usage:c1', 'k1', [1, 'two'], T0);
      });
      await store.read(async (r) => {
        expect(await r.listIdempotencyResults({ limit: 10 })).toEqual([
          { scope: 'usage:c1', key: 'k1', result: [1, 'two'], createdAt: T0 },
          { scope: 'usage:c1', key: 'k2', result: null, createdAt: T0 + 1 },
          { scope: 'usage:c2', key: 'k1', result: { value: 2 }, createdAt: T0 + 2 },
        ]);
        const page = await r.listIdempotencyResults({ after: { scope: 'usage:c1', key: 'k2' }, limit: 1 });
        expect(page.map((x) => [x.scope, x.key])).toEqual([['usage:c2', 'k1']]);
      });
    });

    it("lists a customer's automatic recharge settings by currency", async () => {
      await write(async (tx) => {
        await tx.putAutoRecharge('c1', 'tokens', recharge);
        await tx.putAutoRecharge('c1', 'minutes', { ...recharge, isEnabled: false });
        await tx.putAutoRecharge('c2', 'tokens', recharge);
        await tx.putAutoRecharge('c1', 'tokens', { ...recharge, targetBalance: '200' });
      });
      expect(await store.read((r) => r.listAutoRecharge('c1'))).toEqual([
        { customerId: 'c1', currencyId: 'minutes', config: { ...recharge, isEnabled: false } },
        { customerId: 'c1', currencyId: 'tokens', config: { ...recharge, targetBalance: '200' } },
      ]);
    });

    it("pages through every customer's usage entries, each counter's in log order, folded or not, pruned ones gone", async () => {
      // Past any batching a store does before folding, then a few more that wait for the next fold.
      const early = Array.from({ length: 2_100 }, (_, i) => entry(i % 2 ? 'c1' : 'c2', i, { at: T0 + (i % 50) }));
      // The newest journal row outlives a prune on SQLite (its seq would be handed out again): it is a recent one.
      const late = [
        entry('c1', 7, { featureId: 'f2', at: T0 - 1 }),
        entry('c2', 8, { op: 'set', at: T0 + 1 }),
        entry('c2', 9, { at: T0 + 40 }),
      ];
      await write((tx) => tx.appendUsage(early));
      await write((tx) => tx.appendUsage(late));
      const listed: UsageEntry[] = [];
      await store.read(async (r) => {
        for (let after: string | undefined; ; ) {
          const page = await r.listUsageLog({ after, limit: 500 });
          expect(page.entries.length).toBeLessThanOrEqual(500);
          listed.push(...page.entries);
          if (page.next === null) break;
          after = page.next;
        }
      });
      const counter = (e: UsageEntry) => `${e.customerId}/${e.featureId}`;
      const byCounter = (list: readonly UsageEntry[]) => {
        const map = new Map<string, UsageEntry[]>();
        for (const e of list) map.set(counter(e), [...(map.get(counter(e)) ?? []), e]);
        return Object.fromEntries([...map].sort(([a], [b]) => (a < b ? -1 : 1)));
      };
      expect(byCounter(listed)).toEqual(byCounter([...early, ...late]));
      await write((tx) => tx.pruneUsageHistory(T0 + 25));
      const kept = await store.read((r) => r.listUsageLog({ limit: 10_000 }));
      expect(kept.next).toBeNull();
      expect(byCounter(kept.entries)).toEqual(byCounter([...early, ...late].filter((e) => e.at >= T0 + 25)));
    });
  });

  describe('import writes', () => {
    const key = { customerId: 'c1', resourceId: null, featureId: 'f1', window: 'w1' };
    const counter = (value: number, count: number): UsageRecord => ({
      ...key,
      periodStart: T0,
      periodEnd: T0 + DAY,
      value,
      count,
      updatedAt: T0 + 5,
    });
    const everything = { ...key, ranges: [{ from: ALL, before: Number.MAX_SAFE_INTEGER }] };

    beforeEach(() => write((tx) => tx.putCustomer(customer('c1'))));

    it('putUsageCounters sets aggregates exactly as given, over entries counted before, and logs no entry', async () => {
      await write((tx) => tx.appendUsage([entry('c1', 3), entry('c1', 4)]));
      await write((tx) => tx.putUsageCounters([counter(42.5, 9), { ...counter(1, 1), window: 'w2', periodEnd: null }]));
      expect(await store.read((r) => r.getUsage(key))).toEqual({ value: 42.5, count: 9 });
      const state = await store.read((r) => r.getCustomerState('c1', T0));
      expect(state?.usage.find((u) => u.window === 'w1')).toEqual(counter(42.5, 9));
      expect((await store.read((r) => r.listUsageEntries(everything))).map((e) => e.amount)).toEqual([3, 4]);
      // Ended windows are still stored, read one by one, not loaded.
      expect((await store.read((r) => r.getCustomerState('c1', T0 + DAY)))?.usage.map((u) => u.window)).toEqual(['w2']);
      await write((tx) => tx.appendUsage([entry('c1', 1)]));
      expect(await store.read((r) => r.getUsage(key))).toEqual({ value: 43.5, count: 10 });
    });

    it('appendUsageHistory logs entries for history and summaries, never into an aggregate', async () => {
      const history = Array.from({ length: 2_100 }, (_, i) => entry('c1', 1, { at: T0 + i * 1_000 }));
      await write((tx) => tx.appendUsage([entry('c1', 5, { at: T0 - HOUR })]));
      await write((tx) => tx.appendUsageHistory(history));
      await write((tx) => tx.appendUsage([entry('c1', 2, { at: T0 - HOUR })]));
      expect(await store.read((r) => r.getUsage(key))).toEqual({ value: 7, count: 2 });
      const listed = await store.read((r) => r.listUsageEntries(everything));
      expect(listed).toHaveLength(2_102);
      const summaries = await store.read((r) =>
        r.summarizeUsage({ ...key, from: T0 - DAY, before: T0 + DAY, origin: T0 - DAY, width: DAY }),
      );
      expect(summaries.map((s) => [s.count, s.total])).toEqual([
        [2, 7],
        [2_100, 2_100],
      ]);
    });

    it('a throw rolls back counters and history written for an import', async () => {
      await expect(
        write(async (tx) => {
          await tx.putUsageCounters([counter(1, 1)]);
          await tx.appendUsageHistory([entry('c1', 1)]);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await store.read((r) => r.getUsage(key))).toBeUndefined();
      expect(await store.read((r) => r.listUsageEntries(everything))).toEqual([]);
    });
  });

  describe('export and import', () => {
    /** A store holding some of everything: customers, usage and its history, events, credits, governance. */
    const seed = async (target: Store) => {
      await target.transaction(['customer:c1', 'customer:c2'], async (tx) => {
        await tx.putPackageVersion({
          kind: 'plan',
          refId: 'pro',
          version: 1,
          hash: 'h',
          snapshot: { a: [1] },
          createdAt: T0,
        });
        await tx.putCustomer(customer('c1', { billing: { salesforceId: 'sf-1', billingInfo: { currency: 'EUR' } } }));
        await tx.putCustomer(customer('c2', { archivedAt: T0 + 1 }));
        // Every optional field a subscription record may carry, so none is lost on the way.
        const base = subscription('s1', 'c1');
        await tx.putSubscription({
          ...base,
          entitlements: [
            { ...(base.entitlements[0] as EntitlementSpec), resetIntervalCount: 3, usagePeriodAnchor: T0 - DAY },
          ],
          usagePeriodAnchor: T0 + DAY,
          billing: { billingCountryCode: 'DE', billingInformation: { taxPercentage: 19 } },
        });
        await tx.appendUsage([entry('c1', 3), entry('c1', 2.5, { op: 'max', window: 'w2', periodEnd: T0 + DAY })]);
        await tx.addUniqueMember({ customerId: 'c1', resourceId: 'r1', featureId: 'f3', window: 'w1' }, 'alice');
        await tx.putEvents([{ customerId: 'c2', idempotencyKey: 'e1', createdAt: T0 }]);
        // A recurring grant with its own rollover, and a pool with a reset schedule: every optional part kept.
        await tx.putCreditGrants([
          grant('g1', 'c1', {
            recurrence: { interval: 'MONTH', intervalCount: 2, anchor: T0 },
            rollover: { maxAmount: '5', percentage: '50' },
            refilledAt: T0,
          }),
        ]);
        await tx.putCreditTotals(
          { customerId: 'c1', currencyId: 'tokens', resourceId: null },
          {
            debt: '1.5',
            spent: '10',
            revision: 3,
            schedule: {
              recurrence: { interval: 'WEEK', intervalCount: 1, anchor: T0 },
              rollover: null,
              overage: 'FORGIVE',
              resetAfter: T0,
            },
          },
        );
        await tx.putCreditExpiries({ customerId: 'c1', currencyId: 'tokens', resourceId: null }, [
          { at: T0 + 30 * DAY, amount: '10' },
        ]);
        await tx.appendCreditLedger([
          ledger('l1', 'c1', { eventType: 'CREDITS_GRANTED', amount: '50.5', dimensions: undefined }),
          ledger('l2', 'c1'),
        ]);
        await tx.putAutoRecharge('c1', 'tokens', recharge);
        await tx.putGovernanceEntities([
          {
            ownerId: 'c1',
            entityId: 'org',
            parentId: null,
            displayName: null,
            type: null,
            metadata: {},
            createdAt: T0,
            updatedAt: T0,
          },
        ]);
        await tx.putGovernanceBudgets([
          {
            ownerId: 'c1',
            entityId: 'org',
            capabilityId: 'tokens',
            limit: '100',
            resetPeriod: 'MONTH',
            resetIntervalCount: 1,
            anchor: T0,
            createdAt: T0,
            updatedAt: T0,
          },
        ]);
        await tx.putGovernanceUsage([
          { ownerId: 'c1', entityId: 'org', capabilityId: 'tokens', window: 'x', periodEnd: T0 - 1, amount: '4' },
        ]);
        await tx.putIdempotencyResult('usage:c1', 'k1', { ack: true }, T0);
      });
    };

    it('a dump holds a header, a line per record and an end line that counts them', async () => {
      await seed(store);
      const lines = (await dump(store)).map((l) => JSON.parse(l) as { type: string; records?: number });
      expect(lines[0]).toMatchObject({ type: 'header', format: 'allot-dump', version: 1, source: store.name });
      expect(lines.at(-1)).toEqual({ type: 'end', records: lines.length - 2 });
      expect(new Set(lines.slice(1, -1).map((l) => l.type))).toEqual(
        new Set([
          'packageVersion',
          'customer',
          'subscription',
          'usageCounter',
          'usageEntry',
          'uniqueMember',
          'eventKey',
          'creditGrant',
          'creditTotals',
          'creditExpiry',
          'creditLedger',
          'autoRecharge',
          'governanceEntity',
          'governanceBudget',
          'governanceUsage',
          'idempotency',
        ]),
      );
    });

    it('imports into an empty store of the same kind, which then answers every read the same', async () => {
      await seed(store);
      const target = await fresh();
      expect(await importStore(target, await dump(store), { chunkSize: 3 })).toMatchObject({ resumed: 0 });
      expect(await target.read((r) => contents(r, T0))).toEqual(await store.read((r) => contents(r, T0)));
      // Dedupe survives: an event key and an idempotency key already seen stay seen.
      expect(
        await target.transaction(['customer:c2'], (tx) =>
          tx.putEvents([{ customerId: 'c2', idempotencyKey: 'e1', createdAt: T0 }]),
        ),
      ).toEqual([false]);
    });

    it('refuses a store that holds anything with STORE_NOT_EMPTY, writing nothing', async () => {
      await seed(store);
      const lines = await dump(store);
      const target = await fresh();
      await target.transaction(['customer:x'], (tx) => tx.putCustomer(customer('x')));
      expect(await codeOf(importStore(target, lines))).toBe('STORE_NOT_EMPTY');
      expect((await target.read((r) => r.listCustomers({ limit: 10 }))).map((c) => c.id)).toEqual(['x']);
      const twice = await fresh();
      await importStore(twice, lines);
      expect(await codeOf(importStore(twice, lines))).toBe('STORE_NOT_EMPTY');
    });

    it('a stopped import is IMPORT_INCOMPLETE and marks the store; the same dump resumes it, another is refused', async () => {
      await seed(store);
      const lines = await dump(store);
      const records = lines.length - 2;
      const target = await fresh();
      const broken = [...lines.slice(0, 6), '{"type":"customer","record":{}}\n', ...lines.slice(6)];
      expect(await codeOf(importStore(target, broken, { chunkSize: 2 }))).toBe('IMPORT_INCOMPLETE');
      expect(await codeOf(dump(target))).toBe('IMPORT_INCOMPLETE');
      const other = [lines[0]?.replace(/"exportId":"[^"]+"/, '"exportId":"another"') ?? '', ...lines.slice(1)];
      expect(await codeOf(importStore(target, other))).toBe('IMPORT_INCOMPLETE');
      const progress: number[] = [];
      const result = await importStore(target, lines, { chunkSize: 50, onProgress: (p) => progress.push(p.done) });
      expect(result).toEqual({ records, resumed: 4 });
      expect(progress.at(-1)).toBe(records);
      expect(await target.read((r) => contents(r, T0))).toEqual(await store.read((r) => contents(r, T0)));
    });

    it('rejects a line that is not what a dump holds there with INVALID_INPUT naming it', async () => {
      await seed(store);
      const lines = await dump(store);
      const [header = '', first = '', ...rest] = lines;
      const cases: [string[], string][] = [
        [[], 'line 1'],
        [['{"type":"customer"}', ...lines.slice(1)], 'line 1: not an allot dump'],
        [[header.replace('"version":1', '"version":2'), ...lines.slice(1)], 'version 2'],
        [[header, 'not json', ...rest], 'line 2: not JSON'],
        [[header, '{"type":"table","record":{}}', ...rest], 'line 2: unknown record type "table"'],
        [[header, first.replace(/"createdAt":\d+/, '"createdAt":"yesterday"'), ...rest], 'line 2: record.createdAt'],
        [[header, first, ...rest.slice(0, -1)], 'without its end line'],
        [[header, first, ...rest.slice(0, -2), rest.at(-1) ?? ''], 'the end line counts'],
        [[...lines, '{"type":"end","records":0}'], 'after the end line'],
      ];
      for (const [input, message] of cases) {
        const target = await fresh();
        const error = await importStore(target, input).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(AllotError.is(error) && error.code).toBe('INVALID_INPUT');
        expect(String((error as Error).message)).toContain(message);
        expect(await target.read((r) => r.listCustomers({ limit: 1 }))).toEqual([]);
      }
    });

    it('exports one snapshot: a write made while the lines are read is not in them', async () => {
      await seed(store);
      const lines: string[] = [];
      let late: Promise<void> | undefined;
      for await (const line of exportStore(store)) {
        lines.push(line);
        late ??= store.transaction(['customer:c9'], (tx) => tx.putCustomer(customer('c9')));
      }
      await late;
      expect(lines.some((l) => l.includes('"c9"'))).toBe(false);
      const target = await fresh();
      await importStore(target, lines);
      expect(await target.read((r) => r.getCustomer('c9'))).toBeUndefined();
      // Leaving the loop early ends the read: the store takes writes again.
      for await (const _ of exportStore(store)) break;
      await store.transaction(['customer:c8'], (tx) => tx.putCustomer(customer('c8')));
    });

    it('round-trips a dump of thousands of rows, past every page the export reads', async () => {
      const ids = Array.from({ length: 1_100 }, (_, i) => `c${String(i).padStart(4, '0')}`);
      await store.transaction([], async (tx) => {
        for (const id of ids) await tx.putCustomer(customer(id));
        await tx.appendUsage(ids.map((id, i) => entry(id, i)));
        await tx.appendUsage(Array.from({ length: 1_200 }, (_, i) => entry('c0001', 1, { at: T0 + i })));
        await tx.putEvents(
          Array.from({ length: 1_100 }, (_, i) => ({ customerId: 'c0002', idempotencyKey: `e${i}`, createdAt: T0 })),
        );
        for (let i = 0; i < 1_100; i++)
          await tx.addUniqueMember({ customerId: 'c0003', resourceId: null, featureId: 'u', window: 'w' }, `m${i}`);
        await tx.appendCreditLedger(Array.from({ length: 1_100 }, (_, i) => ledger(`l${i}`, 'c0004')));
        for (let i = 0; i < 1_100; i++) await tx.putIdempotencyResult('usage:c0005', `k${i}`, i, T0);
      });
      const target = await fresh();
      const { records } = await importStore(target, exportStore(store), { chunkSize: 2_000 });
      expect(records).toBeGreaterThan(7_700);
      const sample = async (r: StoreReader) => ({
        customers: (await r.listCustomers({ afterId: 'c1090', limit: 100 })).map((c) => c.id),
        usage: await r.getUsage({ customerId: 'c0001', resourceId: null, featureId: 'f1', window: 'w1' }),
        entries: (await r.listUsageLog({ limit: 5_000 })).entries.length,
        events: (await r.listEventKeys({ customerId: 'c0002', afterKey: 'e998', limit: 5 })).map(
          (e) => e.idempotencyKey,
        ),
        members: (await r.listUniqueMembers({ customerId: 'c0003', limit: 2_000 })).length,
        ledger: (await r.listCreditLedger({ customerId: 'c0004', limit: 2_000 })).length,
        idempotency: (await r.listIdempotencyResults({ limit: 5_000 })).filter((x) => x.scope === 'usage:c0005').length,
      });
      expect(await target.read(sample)).toEqual(await store.read(sample));
    });

    describe('properties', () => {
      const instant = fc.integer({ min: -40, max: 40 }).map((h) => T0 + h * HOUR + (h % 3) * 1_234);
      const customerId = fc.constantFrom('c1', 'c2', 'c3');
      const usage = fc.record({
        customerId,
        op: fc.constantFrom<UsageOp>('add', 'add', 'set', 'max', 'min', 'avg'),
        featureId: fc.constantFrom('f1', 'f2'),
        resourceId: fc.constantFrom(null, 'r1'),
        window: fc.constantFrom('w1', 'w2'),
        amount: fc.integer({ min: -20, max: 40 }).map((n) => n / 4),
        at: instant,
        ends: fc.boolean(),
      });
      const workload = fc.record({
        batches: fc.array(fc.array(usage, { minLength: 1, maxLength: 8 }), { maxLength: 5 }),
        prune: fc.option(instant, { nil: undefined }),
        members: fc.array(fc.tuple(customerId, fc.constantFrom('w1', 'w2'), fc.constantFrom('a', 'b', 'c'))),
        events: fc.array(fc.tuple(customerId, fc.constantFrom('e1', 'e2', 'e3'), instant)),
        credits: fc.array(fc.tuple(customerId, fc.integer({ min: 1, max: 99 }), instant), { maxLength: 4 }),
        now: instant,
      });

      it('for any store contents, an import of its dump answers every read as it does', async () => {
        await fc.assert(
          fc.asyncProperty(workload, async (w) => {
            const source = await fresh();
            await source.transaction([], async (tx) => {
              for (const id of ['c1', 'c2', 'c3']) await tx.putCustomer(customer(id));
              for (const [id, window, member] of w.members)
                await tx.addUniqueMember({ customerId: id, resourceId: null, featureId: 'u', window }, member);
              await tx.putEvents(
                w.events.map(([id, key, at]) => ({ customerId: id, idempotencyKey: key, createdAt: at })),
              );
              for (const [i, [id, amount, at]] of w.credits.entries()) {
                await tx.putCreditGrants([
                  grant(`g${i}`, id, { amount: String(amount), effectiveAt: at, createdAt: at }),
                ]);
                await tx.appendCreditLedger([ledger(`l${i}`, id, { grantId: `g${i}`, amount: `-${amount / 4}`, at })]);
                await tx.putCreditTotals(
                  { customerId: id, currencyId: 'tokens', resourceId: null },
                  { debt: '0', spent: String(amount / 4), revision: i + 1, schedule: null },
                );
              }
            });
            for (const batch of w.batches)
              await source.transaction([], (tx) =>
                tx.appendUsage(
                  batch.map(({ ends, ...u }) => ({
                    ...u,
                    periodStart: ends ? T0 - DAY : null,
                    periodEnd: ends ? T0 + (u.window === 'w1' ? -HOUR : DAY) : null,
                    dimensions: u.op === 'add' ? { region: 'eu' } : null,
                  })),
                ),
              );
            const prune = w.prune;
            if (prune !== undefined) await source.transaction([], (tx) => tx.pruneUsageHistory(prune));
            const target = await fresh();
            await importStore(target, exportStore(source), { chunkSize: 4 });
            expect(await target.read((r) => contents(r, w.now))).toEqual(await source.read((r) => contents(r, w.now)));
          }),
          { seed: FC_SEED, numRuns: 12 },
        );
      });
    });
  });
}
