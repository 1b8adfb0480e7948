import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Allot } from '../../src/index.js';
import { type Harness, harness, stores } from '../helpers/fixtures.js';

// Random command sequences run against the memory store (the model) and the SQLite store (the
// system); after every command both engines must answer alike: same results, same error codes.
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261121) });

const customers = ['a', 'b'];
const plans = ['free', 'pro', 'enterprise', 'bucket'];
const metered = ['api-calls', 'seats', 'daily-exports'];

interface Engines {
  model: Harness;
  real: Harness;
}

/** What an outcome looks like once generated ids and instants-of-creation are left out. */
function normalise(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (key, v) =>
      ['measurementId', 'id', 'subscriptionId', 'startCursor', 'endCursor'].includes(key) ? undefined : v,
    ),
  );
}

async function outcome(call: () => Promise<unknown>): Promise<unknown> {
  try {
    return { ok: normalise(await call()) };
  } catch (error) {
    return { error: (error as { code?: string }).code ?? String(error) };
  }
}

type Call = (allot: Allot, h: Harness) => Promise<unknown>;

/** One command: runs `call` on both engines and compares the outcomes and both customers' states. */
class Step implements fc.AsyncCommand<object, Engines> {
  constructor(
    readonly label: string,
    readonly call: Call,
  ) {}
  check(): boolean {
    return true;
  }
  async run(_model: object, engines: Engines): Promise<void> {
    const expected = await outcome(() => this.call(engines.model.allot, engines.model));
    const actual = await outcome(() => this.call(engines.real.allot, engines.real));
    expect(actual, this.label).toEqual(expected);
    for (const customerId of customers) {
      const state = (h: Harness) => outcome(() => h.allot.getEntitlementsState(customerId));
      expect(await state(engines.real), `state of ${customerId} after ${this.label}`).toEqual(
        await state(engines.model),
      );
    }
  }
  toString(): string {
    return this.label;
  }
}

const step = (label: string, call: Call): fc.AsyncCommand<object, Engines> => new Step(label, call);

const commands = [
  fc
    .constantFrom(...customers)
    .map((c) => step(`provisionCustomer ${c}`, (a) => a.provisionCustomer({ customerId: c }))),
  fc
    .record({
      c: fc.constantFrom(...customers),
      plan: fc.constantFrom(...plans),
      skipTrial: fc.boolean(),
      resource: fc.boolean(),
    })
    .map(({ c, plan, skipTrial, resource }) =>
      step(`provisionSubscription ${c} ${plan}${skipTrial ? ' skipTrial' : ''}${resource ? ' r1' : ''}`, (a) =>
        a.provisionSubscription({ customerId: c, planId: plan, skipTrial, resourceId: resource ? 'r1' : null }),
      ),
    ),
  fc
    .record({
      c: fc.constantFrom(...customers),
      f: fc.constantFrom(...metered),
      v: fc.integer({ min: -50, max: 200 }),
      set: fc.boolean(),
      key: fc.option(fc.constantFrom('k1', 'k2', 'k3'), { nil: undefined }),
    })
    .map(({ c, f, v, set, key }) =>
      step(`reportUsage ${c} ${f} ${set ? '=' : '+'}${v} ${key ?? ''}`, (a) =>
        a.reportUsage({
          customerId: c,
          featureId: f,
          value: set ? Math.abs(v) : v,
          updateBehavior: set ? 'SET' : 'DELTA',
          ...(key ? { idempotencyKey: key } : {}),
        }),
      ),
    ),
  fc
    .record({ c: fc.constantFrom(...customers), f: fc.constantFrom(...metered), r: fc.integer({ min: 0, max: 300 }) })
    .map(({ c, f, r }) =>
      step(`check ${c} ${f} +${r}`, (a) =>
        a.getMeteredEntitlement({ customerId: c, featureId: f, options: { requestedUsage: r } }),
      ),
    ),
  fc
    .record({
      c: fc.constantFrom(...customers),
      when: fc.constantFrom('IMMEDIATE', 'END_OF_BILLING_PERIOD') as fc.Arbitrary<
        'IMMEDIATE' | 'END_OF_BILLING_PERIOD'
      >,
    })
    .map(({ c, when }) =>
      step(`cancel first active of ${c} ${when}`, async (a) => {
        const [first] = await a.getActiveSubscriptions({ customerId: c });
        if (!first) return 'none';
        return a.cancelSubscription({ subscriptionId: first.id, subscriptionCancellationTime: when });
      }),
    ),
  fc.record({ c: fc.constantFrom(...customers), limit: fc.integer({ min: 0, max: 500 }) }).map(({ c, limit }) =>
    step(`promote ${c} api-calls ${limit}`, (a) =>
      a.grantPromotionalEntitlements({
        customerId: c,
        promotionalEntitlements: [{ featureId: 'api-calls', period: 'ONE_WEEK', usageLimit: limit }],
      }),
    ),
  ),
  fc.integer({ min: 1, max: 40 * 86_400_000 }).map((ms) =>
    step(`advance ${Math.round(ms / 3_600_000)}h`, async (_a, h) => {
      h.clock.advance(ms);
      return null;
    }),
  ),
];

describe('model-based: memory store vs SQLite store', () => {
  const [memory, sqlite] = stores;
  let runs = 0;
  beforeAll(() => {
    runs = 0;
  });
  afterAll(() => {
    expect(runs).toBeGreaterThan(0);
  });

  it('answers every random command sequence alike', async () => {
    if (!memory || !sqlite) throw new Error('both stores are needed');
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 25 }), async (cmds) => {
        const engines: Engines = { model: await harness(memory), real: await harness(sqlite) };
        try {
          await fc.asyncModelRun(() => ({ model: {}, real: engines }), cmds);
          runs++;
        } finally {
          await engines.model.close();
          await engines.real.close();
        }
      }),
      { numRuns: 40 },
    );
  });
});
