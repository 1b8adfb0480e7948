// A store exported and imported into an empty store of any kind answers every check as before:
// random engine operations on one kind of store, a dump, an import into each kind, then every
// customer × feature check, credit balance, usage history and ledger compared.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Allot, AllotError, exportStore, importStore, ManualClock, type Store } from '../../src/index.js';
import { AI_CREDITS, creditCatalog, monthlyCredits } from '../helpers/credit-fixtures.js';
import { catalog, errorCode, propertyRuns, START, type StoreFixture, stores } from '../helpers/fixtures.js';

const FC_SEED = Number(process.env.FC_SEED ?? 20_261_121);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CUSTOMERS = ['c1', 'c2', 'c3'] as const;
const FEATURES = catalog.features.map((f) => f.id);
const METERED = ['api-calls', 'daily-exports', 'seats'] as const;

const testCatalog = creditCatalog({ planChanges: { pro: { creditEntitlements: monthlyCredits(100) } } });

const customerId = fc.constantFrom(...CUSTOMERS);
const operation = fc.oneof(
  fc.record({
    op: fc.constant('subscribe' as const),
    customerId,
    planId: fc.constantFrom('free', 'pro', 'enterprise'),
  }),
  fc.record({
    op: fc.constant('usage' as const),
    customerId,
    featureId: fc.constantFrom(...METERED),
    value: fc.integer({ min: -3, max: 40 }),
    set: fc.boolean(),
    key: fc.option(fc.constantFrom('k1', 'k2'), { nil: undefined }),
  }),
  fc.record({ op: fc.constant('advance' as const), hours: fc.integer({ min: 1, max: 24 * 40 }) }),
  fc.record({
    op: fc.constant('grant' as const),
    customerId,
    amount: fc.integer({ min: 1, max: 50 }),
    expiresInDays: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
  }),
  fc.record({ op: fc.constant('consume' as const), customerId, amount: fc.integer({ min: 1, max: 30 }) }),
  fc.record({
    op: fc.constant('promote' as const),
    customerId,
    featureId: fc.constantFrom('sso', 'api-calls'),
  }),
  fc.record({ op: fc.constant('prune' as const), daysAgo: fc.integer({ min: 0, max: 30 }) }),
);
type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

async function apply(allot: Allot, clock: ManualClock, o: Operation, step: number): Promise<void> {
  const known = async (id: string) =>
    (await allot.reloadEntitlements(id)).entitledEntityExists ||
    (await allot.provisionCustomer({ customerId: id }).then(() => true));
  try {
    switch (o.op) {
      case 'subscribe':
        await known(o.customerId);
        await allot.provisionSubscription({ customerId: o.customerId, planId: o.planId });
        return;
      case 'usage':
        await allot.reportUsage({
          customerId: o.customerId,
          featureId: o.featureId,
          value: o.value,
          ...(o.set ? { updateBehavior: 'SET' as const } : {}),
          ...(o.key ? { idempotencyKey: o.key } : {}),
        });
        return;
      case 'advance':
        clock.advance(o.hours * HOUR);
        return;
      case 'grant':
        await known(o.customerId);
        await allot.grantCredits({
          customerId: o.customerId,
          currencyId: AI_CREDITS,
          amount: o.amount,
          displayName: `g${step}`,
          ...(o.expiresInDays ? { expireAt: clock.now() + o.expiresInDays * DAY } : {}),
        });
        return;
      case 'consume':
        await allot.consumeCredits({
          customerId: o.customerId,
          currencyId: AI_CREDITS,
          amount: o.amount,
          idempotencyKey: `use-${step}`,
        });
        return;
      case 'promote':
        await known(o.customerId);
        await allot.grantPromotionalEntitlements({
          customerId: o.customerId,
          promotionalEntitlements: [{ featureId: o.featureId, period: 'ONE_WEEK', usageLimit: 7 }],
        });
        return;
      case 'prune':
        await allot.pruneUsageHistory({ before: clock.now() - o.daysAgo * DAY });
        return;
    }
  } catch (error) {
    // A refused operation (a customer without a subscription, credits short) is an answer too.
    if (!AllotError.is(error)) throw error;
  }
}

/** Everything a customer sees, as the engine answers it now. */
async function answers(allot: Allot, start: number, now: number) {
  const seen = [];
  for (const id of CUSTOMERS) {
    const checks = [];
    for (const featureId of FEATURES) checks.push(await allot.getEntitlement({ customerId: id, featureId }));
    const history = [];
    for (const featureId of METERED)
      history.push(
        await allot
          .getUsageHistory({ customerId: id, featureId, startDate: start - DAY, endDate: now + 1 })
          .catch((e: unknown) => (AllotError.is(e) ? e.code : e)),
      );
    const credits = await allot
      .getCreditEntitlement({ customerId: id, currencyId: AI_CREDITS })
      .catch((e: unknown) => (AllotError.is(e) ? e.code : e));
    const ledger = await allot
      .getCreditLedger({ customerId: id, paging: { first: 1_000 } })
      .then((page) => page.data)
      .catch((e: unknown) => (AllotError.is(e) ? e.code : e));
    const customer = await allot.getCustomer(id).catch((e: unknown) => (AllotError.is(e) ? e.code : e));
    seen.push({ id, checks, history, credits, ledger, customer });
  }
  return seen;
}

/** An opened store of each kind, fresh, and how to let it go. */
const opened: { store: Store; cleanup: () => void | Promise<void> }[] = [];
async function freshStore(fixture: StoreFixture): Promise<Store> {
  const { store, cleanup } = fixture.create();
  opened.push({ store, cleanup });
  await store.open();
  return store;
}

async function release(): Promise<void> {
  for (const { store, cleanup } of opened.splice(0)) {
    await store.close();
    await cleanup();
  }
}

afterEach(release);

describe.each(stores)('export from $name, import into every store', (source) => {
  it('reproduces every check, credit balance, usage history and ledger', { timeout: 300_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 25 }), async (operations) => {
        try {
          const clock = new ManualClock(START);
          const start = clock.now();
          const store = await freshStore(source);
          const allot = Allot.initialize({ catalog: testCatalog, store, clock });
          await allot.waitForInitialization();
          for (const [step, o] of operations.entries()) await apply(allot, clock, o, step);
          const expected = await answers(allot, start, clock.now());
          for (const target of stores) {
            const copy = await freshStore(target);
            await importStore(copy, exportStore(store), { chunkSize: 7 });
            const restored = await Allot.open({ store: copy, clock });
            expect(await answers(restored, start, clock.now())).toEqual(expected);
          }
        } finally {
          await release();
        }
      }),
      { seed: FC_SEED, numRuns: propertyRuns(source, 15) },
    );
  });
});

describe('hostile arguments', () => {
  it('exportStore and importStore reject them with INVALID_INPUT and write nothing', async () => {
    const [memory] = stores;
    if (memory === undefined) throw new Error('no store fixture');
    const target = await freshStore(memory);
    const drain = async (lines: AsyncIterable<string>) => {
      for await (const _ of lines);
    };
    for (const bad of [undefined, null, 42, {}, { open: () => {} }])
      expect(await errorCode(drain(exportStore(bad as never)))).toBe('INVALID_INPUT');
    expect(await errorCode(drain(exportStore(target, { onProgress: 'yes' as never })))).toBe('INVALID_INPUT');
    const cases: [unknown, unknown, unknown][] = [
      [undefined, [], {}],
      [target, 42, {}],
      [target, null, {}],
      [target, [42], {}],
      [target, [], { chunkSize: 0 }],
      [target, [], { chunkSize: 1.5 }],
      [target, [], { onProgress: 7 }],
    ];
    for (const [store, lines, options] of cases)
      expect(await errorCode(importStore(store as never, lines as never, options as never))).toBe('INVALID_INPUT');
    expect(await target.read((r) => r.listIdempotencyResults({ limit: 1 }))).toEqual([]);
  });
});

describe('an unfinished import', () => {
  it('is refused by Allot.initialize and Allot.open (IMPORT_INCOMPLETE) until the same dump resumes it', async () => {
    const [memory] = stores;
    if (memory === undefined) throw new Error('no store fixture');
    const source = await freshStore(memory);
    const allot = Allot.initialize({ catalog, store: source, clock: new ManualClock(START) });
    await allot.waitForInitialization();
    for (const id of CUSTOMERS)
      await allot.provisionCustomer({ customerId: id, subscriptionParams: { planId: 'pro' } });
    const lines: string[] = [];
    for await (const line of exportStore(source)) lines.push(line);
    const target = await freshStore(memory);
    const truncated = lines.slice(0, -3);
    expect(await errorCode(importStore(target, truncated, { chunkSize: 2 }))).toBe('IMPORT_INCOMPLETE');
    expect(await errorCode(Allot.initialize({ catalog, store: target }).waitForInitialization())).toBe(
      'IMPORT_INCOMPLETE',
    );
    expect(await errorCode(Allot.open({ store: target }))).toBe('IMPORT_INCOMPLETE');
    await importStore(target, lines);
    const restored = await Allot.open({ store: target });
    expect((await restored.getEntitlement({ customerId: 'c2', featureId: 'sso' })).hasAccess).toBe(true);
  });
});
