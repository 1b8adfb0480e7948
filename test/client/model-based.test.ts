import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Allot, AllotError, ManualClock, type MeteredEntitlement, type ReportUsageAck } from '../../src/index.js';
import { memoryStore } from '../../src/stores/memory/index.js';
import { sqliteStore } from '../../src/stores/sqlite/index.js';
import {
  type AckView,
  CUSTOMERS,
  type CustomerId,
  catalogFor,
  EntitlementModel,
  METERED,
  type MeteredId,
  type MeteredView,
  type Outcome,
  PLAN_IDS,
  type PlanId,
  type PromotedId,
  type PromotionPeriod,
} from '../helpers/entitlement-model.js';

// Model-based test: random command sequences run against a reference model (test/helpers/
// entitlement-model.ts, no code shared with the core) and two engines at once, one on the memory
// store and one on SQLite. After every command both engines must give the model's answers, so a
// bug the two stores share fails it too.
const FC_SEED = Number(process.env.FC_SEED ?? 20261121);
const NUM_RUNS = 100;
const MAX_COMMANDS = 25;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Month-end and leap-day anchors, and instants near midnight UTC, where local-time slips would show. */
const STARTS = [
  '2025-01-31T10:00:00.000Z',
  '2024-01-31T23:30:00.000Z',
  '2025-03-30T00:30:00.000Z',
  '2025-10-31T23:59:00.000Z',
];

interface Engine {
  readonly name: string;
  readonly allot: Allot;
  readonly clock: ManualClock;
}
type Engines = readonly Engine[];

async function outcome<T>(call: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: await call() };
  } catch (error) {
    // Only typed errors are answers; anything else is a failure of its own.
    if (AllotError.is(error)) return { error: error.code };
    throw error;
  }
}

const iso = (d: Date | undefined): string | undefined => d?.toISOString();

function meteredView(e: MeteredEntitlement): MeteredView {
  return {
    hasAccess: e.hasAccess,
    accessDeniedReason: e.accessDeniedReason,
    isUnlimited: e.isUnlimited,
    usageLimit: e.usageLimit,
    currentUsage: e.currentUsage,
    requestedUsage: e.requestedUsage,
    resetPeriod: e.resetPeriod,
    usagePeriodAnchor: iso(e.usagePeriodAnchor),
    usagePeriodStart: iso(e.usagePeriodStart),
    usagePeriodEnd: iso(e.usagePeriodEnd),
  };
}

const ackView = (a: ReportUsageAck): AckView => ({
  currentUsage: a.currentUsage,
  usagePeriodStart: iso(a.usagePeriodStart),
  usagePeriodEnd: iso(a.usagePeriodEnd),
});

/** Everything the model predicts about a customer, read from an engine. */
async function observe(allot: Allot, customerId: CustomerId) {
  const metered = async (featureId: MeteredId) =>
    meteredView(await allot.getMeteredEntitlement({ customerId, featureId, options: { requestedUsage: 1 } }));
  const sso = await allot.getBooleanEntitlement({ customerId, featureId: 'sso' });
  return {
    subscriptions: await outcome(async () =>
      (await allot.getActiveSubscriptions({ customerId })).map((s) => `${s.planId}:${s.status}`).sort(),
    ),
    promotions: await outcome(async () =>
      (await allot.getCustomer(customerId)).promotionalEntitlements
        .map((p) => ({ featureId: p.featureId, status: p.status, endDate: iso(p.endDate ?? undefined) }))
        .sort((x, y) => x.featureId.localeCompare(y.featureId)),
    ),
    sso: { hasAccess: sso.hasAccess, accessDeniedReason: sso.accessDeniedReason },
    'api-calls': await metered('api-calls'),
    exports: await metered('exports'),
    seats: await metered('seats'),
  };
}

function expectedState(m: EntitlementModel, customerId: CustomerId) {
  const subs = m.activeSubscriptions(customerId);
  const promotions = m.promotions(customerId);
  return {
    subscriptions: 'ok' in subs ? { ok: subs.ok.map((s) => `${s.planId}:${s.status}`).sort() } : subs,
    promotions:
      'ok' in promotions ? { ok: promotions.ok.sort((x, y) => x.featureId.localeCompare(y.featureId)) } : promotions,
    sso: m.boolean(customerId),
    'api-calls': m.metered(customerId, 'api-calls', 1),
    exports: m.metered(customerId, 'exports', 1),
    seats: m.metered(customerId, 'seats', 1),
  };
}

/** What a command expects (the model updates itself as it answers) and how an engine carries it out. */
interface Plan<T> {
  readonly expected: Outcome<T>;
  readonly call: (e: Engine) => Promise<T>;
}

class Step<T> implements fc.AsyncCommand<EntitlementModel, Engines> {
  constructor(
    readonly label: string,
    readonly plan: (m: EntitlementModel) => Plan<T>,
    readonly applies: (m: EntitlementModel) => boolean = () => true,
  ) {}

  check(m: Readonly<EntitlementModel>): boolean {
    // The model may settle an ended trial while answering: the same thing its next call would do.
    return this.applies(m as EntitlementModel);
  }

  async run(m: EntitlementModel, engines: Engines): Promise<void> {
    const { expected, call } = this.plan(m);
    for (const e of engines) expect(await outcome(() => call(e)), `${e.name}: ${this.label}`).toEqual(expected);
    // Every customer, not only the one the command touched: a write must not leak into another.
    const at = new Date(m.now).toISOString();
    for (const c of CUSTOMERS) {
      const want = expectedState(m, c);
      for (const e of engines)
        expect(await observe(e.allot, c), `${e.name}: customer ${c} at ${at}, after ${this.label}`).toEqual(want);
    }
  }

  toString(): string {
    return this.label;
  }
}

// a starts on free and b with no plan; c is unknown until provisioned, so it is picked less.
const customer = fc.oneof(
  { arbitrary: fc.constantFrom<CustomerId>('a', 'b'), weight: 4 },
  { arbitrary: fc.constant<CustomerId>('c'), weight: 1 },
);
const plan = fc.constantFrom(...PLAN_IDS);
const meteredFeature = fc.constantFrom(...METERED);
/** Reported amounts per feature, sized to its limits (free 100 / 10 / 3). */
const AMOUNT: Readonly<Record<MeteredId, number>> = { 'api-calls': 120, exports: 12, seats: 12 };

function provisionCustomer(c: CustomerId, planId: PlanId | undefined): Step<unknown> {
  return new Step(`provisionCustomer ${c}${planId ? ` on ${planId}` : ''}`, (m) => ({
    expected: m.provisionCustomer(c, planId),
    call: async ({ allot }) => {
      const r = await allot.provisionCustomer({
        customerId: c,
        ...(planId ? { subscriptionParams: { planId } } : {}),
      });
      return {
        subscriptionDecisionStrategy: r.subscriptionDecisionStrategy,
        subscription: r.subscription && { planId: r.subscription.planId, status: r.subscription.status },
      };
    },
  }));
}

function advance(label: string, ms: (m: EntitlementModel) => number, applies?: (m: EntitlementModel) => boolean) {
  return new Step(
    label,
    (m) => {
      const by = ms(m);
      m.advance(by);
      return {
        expected: { ok: null },
        call: async ({ clock }) => {
          clock.advance(by);
          return null;
        },
      };
    },
    applies,
  );
}

const commands = [
  fc
    .record({ c: customer, p: fc.option(fc.constantFrom<PlanId>('free', 'pro'), { nil: undefined }) })
    .map(({ c, p }) => provisionCustomer(c, p)),

  // Twice in the list: plan changes decide most of what the customer holds.
  ...[0, 1].map(() =>
    fc.record({ c: customer, p: plan, skipTrial: fc.boolean() }).map(
      ({ c, p, skipTrial }) =>
        new Step(`provisionSubscription ${c} ${p}${skipTrial ? ' skipTrial' : ''}`, (m) => ({
          expected: m.provisionSubscription(c, p, skipTrial),
          call: async ({ allot }) => {
            const { subscription } = await allot.provisionSubscription({ customerId: c, planId: p, skipTrial });
            return { planId: subscription.planId, status: subscription.status };
          },
        })),
    ),
  ),

  fc.record({ c: customer, kind: fc.constantFrom<'paid' | 'trial'>('paid', 'trial') }).map(
    ({ c, kind }) =>
      new Step(
        `cancel ${c}'s ${kind === 'trial' ? 'trial' : 'plan'} IMMEDIATE`,
        (m) => ({
          expected: m.cancel(c, kind),
          call: async ({ allot }) => {
            const status = kind === 'trial' ? 'IN_TRIAL' : 'ACTIVE';
            const subs = await allot.getActiveSubscriptions({ customerId: c });
            const target = subs.find((s) => s.status === status);
            if (!target) throw new Error(`no ${status} subscription, the model has one`);
            const canceled = await allot.cancelSubscription({
              subscriptionId: target.id,
              subscriptionCancellationTime: 'IMMEDIATE',
            });
            return { planId: canceled.planId, status: canceled.status };
          },
        }),
        (m) => m.has(c, kind),
      ),
  ),

  // Three times in the list: usage is what most checks are about.
  ...[0, 1, 2].map(() =>
    fc
      .record({
        c: customer,
        f: meteredFeature,
        percent: fc.integer({ min: -25, max: 100 }),
        set: fc.boolean(),
        key: fc.option(fc.constantFrom('k1', 'k2'), { nil: undefined, freq: 4 }),
      })
      .map(({ c, f, percent, set, key }) => {
        const value = Math.round((Math.abs(percent) * AMOUNT[f]) / 100) * (set || percent >= 0 ? 1 : -1);
        return new Step(`reportUsage ${c} ${f} ${set ? '=' : '+'}${value}${key ? ` key ${key}` : ''}`, (m) => ({
          expected: m.reportUsage(c, f, value, set, key),
          call: async ({ allot }) =>
            ackView(
              await allot.reportUsage({
                customerId: c,
                featureId: f,
                value,
                updateBehavior: set ? 'SET' : 'DELTA',
                ...(key ? { idempotencyKey: key } : {}),
              }),
            ),
        }));
      }),
  ),

  fc.record({ c: customer, f: meteredFeature, percent: fc.integer({ min: 0, max: 60 }) }).map(({ c, f, percent }) => {
    const value = Math.round((percent * AMOUNT[f]) / 100);
    return new Step(`checkAndReportUsage ${c} ${f} ${value}`, (m) => ({
      expected: m.checkAndReportUsage(c, f, value),
      call: async ({ allot }) => {
        const r = await allot.checkAndReportUsage({ customerId: c, featureId: f, value });
        return {
          hasAccess: r.hasAccess,
          entitlement: meteredView(r.entitlement),
          usage: r.usage && ackView(r.usage),
        };
      },
    }));
  }),

  fc.record({ c: customer, f: meteredFeature, percent: fc.integer({ min: 0, max: 120 }) }).map(({ c, f, percent }) => {
    const requestedUsage = Math.round((percent * AMOUNT[f]) / 100);
    return new Step(`getMeteredEntitlement ${c} ${f} requesting ${requestedUsage}`, (m) => ({
      expected: { ok: m.metered(c, f, requestedUsage) },
      call: async ({ allot }) =>
        meteredView(await allot.getMeteredEntitlement({ customerId: c, featureId: f, options: { requestedUsage } })),
    }));
  }),

  fc
    .record({
      c: customer,
      f: fc.constantFrom<PromotedId>('sso', 'api-calls'),
      period: fc.constantFrom<PromotionPeriod>('ONE_WEEK', 'ONE_MONTH', 'CUSTOM', 'LIFETIME'),
      minutes: fc.integer({ min: 1, max: 40 * 24 * 60 }),
      limit: fc.integer({ min: 0, max: 600 }),
    })
    .map(({ c, f, period, minutes, limit }) => {
      const custom = period === 'CUSTOM' ? ` ending in ${minutes} min` : '';
      return new Step(`grant ${c} ${f}${f === 'api-calls' ? ` limit ${limit}` : ''} ${period}${custom}`, (m) => {
        const end = m.now + minutes * MINUTE;
        return {
          expected: m.grant(c, f, period, end, limit),
          call: async ({ allot }) =>
            (
              await allot.grantPromotionalEntitlements({
                customerId: c,
                promotionalEntitlements: [
                  {
                    featureId: f,
                    period,
                    ...(period === 'CUSTOM' ? { customEndDate: new Date(end).toISOString() } : {}),
                    ...(f === 'api-calls' ? { usageLimit: limit } : {}),
                  },
                ],
              })
            ).map((p) => ({ featureId: p.featureId, status: p.status, endDate: iso(p.endDate ?? undefined) })),
        };
      });
    }),

  fc.record({ c: customer, f: fc.constantFrom<PromotedId>('sso', 'api-calls') }).map(
    ({ c, f }) =>
      new Step(`revoke ${c} ${f}`, (m) => ({
        expected: m.revoke(c, f),
        call: async ({ allot }) => {
          await allot.revokePromotionalEntitlements({ customerId: c, featureId: f });
          return 'revoked';
        },
      })),
  ),

  fc.integer({ min: 1, max: 180 }).map((minutes) => advance(`advance ${minutes} min`, () => minutes * MINUTE)),
  fc.integer({ min: 1, max: 40 * 24 }).map((hours) => advance(`advance ${hours} h`, () => hours * HOUR)),
  // Onto a period end, trial end or promotion end, or 1 ms short of it: the half-open bounds.
  fc.record({ c: customer, pick: fc.nat(5), short: fc.boolean() }).map(({ c, pick, short }) =>
    advance(
      `advance to ${c}'s change #${pick}${short ? ' - 1 ms' : ''}`,
      (m) => {
        const next = m.upcoming(c);
        const target = (next[pick % next.length] ?? m.now) - (short ? 1 : 0);
        return Math.max(0, target - m.now);
      },
      (m) => m.upcoming(c).length > 0,
    ),
  ),
];

describe('model-based: the reference model against the memory and SQLite engines', () => {
  it('gives the model’s answers after every command', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...STARTS),
        fc.constantFrom('NEVER_RESET' as const, 'ALWAYS_RESET' as const),
        // size 'max': the default size keeps most sequences to a handful of commands.
        fc.commands(commands, { maxCommands: MAX_COMMANDS, size: 'max' }),
        async (start, rule, cmds) => {
          const dir = mkdtempSync(join(tmpdir(), 'allot-model-'));
          const catalog = catalogFor(rule);
          const engines: Engine[] = [
            { name: 'memory', store: memoryStore() },
            { name: 'sqlite', store: sqliteStore({ filename: join(dir, 'allot.db') }) },
          ].map(({ name, store }) => {
            const clock = new ManualClock(start);
            return { name, clock, allot: Allot.initialize({ catalog, store, clock }) };
          });
          try {
            await Promise.all(engines.map((e) => e.allot.waitForInitialization()));
            const model = new EntitlementModel(Date.parse(start), rule);
            await provisionCustomer('a', 'free').run(model, engines);
            await provisionCustomer('b', undefined).run(model, engines);
            await fc.asyncModelRun(() => ({ model, real: engines }), cmds);
          } finally {
            for (const e of engines) await e.allot.close();
            rmSync(dir, { recursive: true, force: true });
          }
        },
      ),
      { seed: FC_SEED, numRuns: NUM_RUNS },
    );
  }, 60_000);
});
