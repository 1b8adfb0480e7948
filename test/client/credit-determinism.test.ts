// Reading never changes what a customer has. Two engines run the same random sequence of grants,
// consumptions, credit-backed usage, plan changes, add-ons, cancellations, transfers of a
// subscription between resources and clock moves; one
// also reads the ledger and the grants after every step (which stores what time did), the other
// never does until the end. Balances, refusals and, at the end, the ledgers must agree.
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import type { Allot } from '../../src/index.js';
import { fc } from '../core/fc-setup.js';
import { AI_CREDITS, creditCatalog, monthlyCredits } from '../helpers/credit-fixtures.js';
import { catalog, type Harness, harness, propertyRuns, type StoreFixture, stores } from '../helpers/fixtures.js';

const CURRENCY = AI_CREDITS;
const DAY = 86_400_000;

// pro refills 100 a month (rolling up to 30 over), enterprise 1000; an add-on adds 50 a month.
const credited = creditCatalog({
  features: [
    {
      id: 'gpt',
      featureType: 'NUMBER',
      meterType: 'Incremental',
      creditRate: { currencyId: CURRENCY, creditsPerUnit: 3 },
    },
  ],
  planChanges: {
    pro: {
      compatibleAddonIds: [...(catalog.plans.find((p) => p.id === 'pro')?.compatibleAddonIds ?? []), 'more-credits'],
      creditEntitlements: monthlyCredits(100, 30),
    },
    enterprise: { creditEntitlements: monthlyCredits(1000) },
  },
  plans: [
    {
      id: 'ai',
      productId: 'ai',
      entitlements: [{ featureId: 'gpt', hasUnlimitedUsage: true, resetPeriod: 'MONTH' }],
      creditEntitlements: monthlyCredits(20, 10),
    },
  ],
  addons: [{ id: 'more-credits', productId: 'app', entitlements: [], creditEntitlements: monthlyCredits(50) }],
});

type Cmd =
  | { kind: 'grant'; amount: number; expireInDays: number | null }
  | { kind: 'consume'; amount: number }
  | { kind: 'use'; units: number }
  | { kind: 'transfer'; to: number }
  | { kind: 'subscribe'; planId: 'pro' | 'enterprise' | 'free' }
  | { kind: 'addon' }
  | { kind: 'cancel' }
  | { kind: 'advance'; ms: number };

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({
    kind: fc.constant('grant' as const),
    amount: fc.integer({ min: 1, max: 200 }),
    expireInDays: fc.option(fc.integer({ min: 1, max: 60 }), { nil: null }),
  }),
  fc.record({ kind: fc.constant('consume' as const), amount: fc.integer({ min: 1, max: 150 }) }),
  fc.record({ kind: fc.constant('use' as const), units: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('transfer' as const), to: fc.integer({ min: 0, max: 2 }) }),
  fc.record({
    kind: fc.constant('subscribe' as const),
    planId: fc.constantFrom('pro' as const, 'enterprise' as const, 'free' as const),
  }),
  fc.record({ kind: fc.constant('addon' as const) }),
  fc.record({ kind: fc.constant('cancel' as const) }),
  fc.record({
    kind: fc.constant('advance' as const),
    ms: fc.oneof(
      fc.integer({ min: 1, max: 48 }).map((h) => h * 3_600_000),
      fc.integer({ min: 1, max: 70 }).map((d) => d * DAY),
    ),
  }),
);

const pool = { customerId: 'acme', currencyId: CURRENCY };
/** The pools a run may touch: customer-wide, and the two resources the AI subscription moves between. */
const SCOPES = [null, 'site-1', 'site-2'] as const;

/** Where each engine's AI subscription (its credits, and its usage) currently is. */
const aiSubscription = new WeakMap<Harness, { id: string; scope: string | null }>();

/** Runs one command; its outcome (an error code, or 'ok') is what the two engines must share. */
async function run(allot: Allot, h: Harness, cmd: Cmd, step: number): Promise<string> {
  try {
    switch (cmd.kind) {
      case 'grant':
        await allot.grantCredits({
          ...pool,
          amount: cmd.amount,
          displayName: `g${step}`,
          ...(cmd.expireInDays === null ? {} : { expireAt: h.clock.now() + cmd.expireInDays * DAY }),
        });
        break;
      case 'consume':
        await allot.consumeCredits({ ...pool, amount: cmd.amount, idempotencyKey: `c${step}` });
        break;
      case 'use': {
        const scope = aiSubscription.get(h)?.scope ?? null;
        await allot.reportUsage({ customerId: 'acme', featureId: 'gpt', value: cmd.units, resourceId: scope });
        break;
      }
      case 'transfer': {
        const ai = aiSubscription.get(h);
        const to = SCOPES[cmd.to] ?? null;
        if (!ai || ai.scope === to) return 'same';
        await allot.transferSubscriptionToResource({ subscriptionId: ai.id, destinationResourceId: to });
        aiSubscription.set(h, { ...ai, scope: to });
        break;
      }
      case 'subscribe':
        await allot.provisionSubscription({ customerId: 'acme', planId: cmd.planId, skipTrial: true });
        break;
      case 'addon':
      case 'cancel': {
        const [current] = await allot.getActiveSubscriptions({ customerId: 'acme' });
        const live = current?.productId === 'app' ? current : undefined;
        if (!live) return 'none';
        if (cmd.kind === 'cancel') await allot.cancelSubscription({ subscriptionId: live.id });
        else await allot.updateSubscription({ subscriptionId: live.id, addons: [{ addonId: 'more-credits' }] });
        break;
      }
      case 'advance':
        h.clock.advance(cmd.ms);
        break;
    }
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

const sum = (amounts: number[]) => amounts.reduce((s, a) => s.plus(a), new Decimal(0)).toNumber();

async function ledgerSum(allot: Allot, resourceId: string | null): Promise<number> {
  const { data } = await allot.getCreditLedger({ ...pool, resourceId, paging: { first: 1000 } });
  return sum(data.map((e) => e.amount));
}

const balanceOf = async (allot: Allot, resourceId: string | null) =>
  (await allot.getCreditEntitlement({ ...pool, resourceId })).currentBalance;

async function compare(fixture: StoreFixture, cmds: readonly Cmd[]): Promise<void> {
  const reading = await harness(fixture, { catalog: credited });
  const quiet = await harness(fixture, { catalog: credited });
  try {
    for (const h of [reading, quiet]) {
      await h.allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'free' } });
      const { subscription } = await h.allot.provisionSubscription({ customerId: 'acme', planId: 'ai' });
      aiSubscription.set(h, { id: subscription.id, scope: null });
    }
    for (const [step, cmd] of cmds.entries()) {
      const outcomes = [await run(reading.allot, reading, cmd, step), await run(quiet.allot, quiet, cmd, step)];
      expect(outcomes[0], `step ${step}: ${JSON.stringify(cmd)}`).toBe(outcomes[1]);
      // Only one engine reads stored history; both read balances, which write nothing.
      await reading.allot.getCreditGrants({ customerId: 'acme' });
      for (const scope of SCOPES) {
        const at = `${scope} after step ${step}: ${JSON.stringify(cmd)}`;
        const balance = await balanceOf(reading.allot, scope);
        expect(await ledgerSum(reading.allot, scope), `ledger of ${at}`).toBe(balance);
        expect(balance, `balance of ${at}`).toBe(await balanceOf(quiet.allot, scope));
      }
    }
    // ... and a fresh engine over each store (a new process, for SQLite) sees the same.
    const reopened = [await reading.reopen(), await quiet.reopen()];
    for (const scope of SCOPES) {
      const sums = [await ledgerSum(reading.allot, scope), await ledgerSum(quiet.allot, scope)];
      expect(sums[0]).toBe(sums[1]);
      expect(sums[1]).toBe(await balanceOf(quiet.allot, scope));
      for (const fresh of reopened) expect(await balanceOf(fresh, scope), `reopened, ${scope}`).toBe(sums[1]);
    }
  } finally {
    await reading.close();
    await quiet.close();
  }
}

describe.each(stores)('credit determinism ($name)', (fixture) => {
  it('reading stored history never changes balances, refusals or the ledger', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(cmdArb, { minLength: 3, maxLength: 16 }), (cmds) => compare(fixture, cmds)),
      { numRuns: propertyRuns(fixture, 25) },
    );
  });
});
