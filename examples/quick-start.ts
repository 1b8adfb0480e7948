// The quick start: `npm run demo`. A narrated tour of allot on its embedded default, a SQLite
// file, with a ManualClock so that a month passes in an instant.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Allot, type CatalogInput, ManualClock, type MeteredEntitlement } from '../src/index.js';
import { sqliteStore } from '../src/stores/sqlite/index.js';

const catalog: CatalogInput = {
  features: [
    { id: 'api-calls', featureType: 'NUMBER', meterType: 'Incremental', units: 'call', unitsPlural: 'calls' },
    { id: 'seats', featureType: 'NUMBER', meterType: 'Fluctuating', units: 'seat', unitsPlural: 'seats' },
    {
      id: 'ai-tokens',
      featureType: 'NUMBER',
      meterType: 'Incremental',
      units: 'token',
      unitsPlural: 'tokens',
      // Counted from raw events: the sum of `tokens` over `llm.call` events of the two hosted models.
      meter: {
        eventName: 'llm.call',
        filters: [{ conditions: [{ field: 'model', operation: 'IN', values: ['small', 'large'] }] }],
        aggregation: { function: 'SUM', field: 'tokens' },
      },
    },
    {
      id: 'images',
      featureType: 'NUMBER',
      meterType: 'Incremental',
      units: 'image',
      unitsPlural: 'images',
      // Credit-backed: each image draws 5 AI credits from the customer's pool.
      creditRate: { currencyId: 'ai-credits', creditsPerUnit: 5 },
    },
    { id: 'sso', featureType: 'BOOLEAN', displayName: 'Single sign-on' },
    { id: 'priority-support', featureType: 'BOOLEAN' },
  ],
  products: [{ id: 'app', displayName: 'Acme App', downgradePlanId: 'free' }],
  plans: [
    {
      id: 'free',
      productId: 'app',
      displayName: 'Free',
      order: 0,
      entitlements: [
        { featureId: 'api-calls', usageLimit: 100, resetPeriod: 'MONTH' },
        { featureId: 'seats', usageLimit: 2 },
      ],
    },
    {
      id: 'pro',
      productId: 'app',
      displayName: 'Pro',
      order: 1,
      basePlanId: 'free',
      pricingType: 'PAID',
      entitlements: [
        { featureId: 'api-calls', usageLimit: 10_000, resetPeriod: 'MONTH' },
        { featureId: 'ai-tokens', usageLimit: 5_000, resetPeriod: 'MONTH' },
        { featureId: 'seats', usageLimit: 10 },
        { featureId: 'images', hasUnlimitedUsage: true, resetPeriod: 'MONTH' },
        { featureId: 'sso' },
      ],
      // 500 AI credits every month; up to 100 unused ones roll over.
      creditEntitlements: [{ currencyId: 'ai-credits', amount: 500, cadence: 'MONTH', rolloverCap: 100 }],
      compatibleAddonIds: ['extra-seats'],
      prices: [{ billingPeriod: 'MONTHLY', currency: 'USD', amount: '49.00' }],
    },
  ],
  creditCurrencies: [
    {
      currencyId: 'ai-credits',
      displayName: 'AI credits',
      units: { singular: 'credit', plural: 'credits' },
      unitCost: { amount: '0.01', currency: 'USD' },
    },
  ],
  coupons: [
    {
      id: 'welcome',
      name: '20% off the first month',
      type: 'PERCENTAGE',
      percentOff: 20,
      durationType: 'ONCE',
      promotionCodes: [{ code: 'WELCOME20' }],
    },
  ],
  addons: [
    {
      id: 'extra-seats',
      productId: 'app',
      displayName: '5 extra seats',
      entitlements: [{ featureId: 'seats', usageLimit: 5, behavior: 'Increment' }],
    },
  ],
};

const say = (text: string) => console.log(`\n▸ ${text}`);
const show = (label: string, value: string) => console.log(`    ${label.padEnd(26)} ${value}`);
const day = (d: Date | null | undefined) => (d ? d.toISOString().slice(0, 10) : '—');
const usage = (e: MeteredEntitlement) =>
  `${e.currentUsage} / ${e.isUnlimited ? '∞' : e.usageLimit} ${e.hasAccess ? '✓ allowed' : `✗ denied (${e.accessDeniedReason})`}`;

const dir = mkdtempSync(join(tmpdir(), 'allot-demo-'));
const filename = join(dir, 'allot.db');
const clock = new ManualClock('2025-01-31T09:00:00Z');

try {
  say(`Opening allot on a SQLite file: ${filename}`);
  const allot = Allot.initialize({ catalog, store: sqliteStore({ filename }), clock });
  await allot.waitForInitialization();
  show('plans', [...allot.catalog.plans.values()].map((p) => `${p.id} v${p.version}`).join(', '));

  say('Provisioning customer "acme" on the Free plan');
  const { subscription } = await allot.provisionCustomer({
    customerId: 'acme',
    name: 'Acme Inc.',
    subscriptionParams: { planId: 'free' },
  });
  show('subscription', `${subscription?.planId} · ${subscription?.status} · started ${day(subscription?.startDate)}`);

  say('Reporting API calls: 60, then 40 (the Free plan allows 100 a month)');
  await allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 60 });
  const ack = await allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 40 });
  show('usage now', `${ack.currentUsage} (period ${day(ack.usagePeriodStart)} → ${day(ack.usagePeriodEnd)})`);
  show('check, 0 more calls', usage(await allot.getMeteredEntitlement({ customerId: 'acme', featureId: 'api-calls' })));
  show(
    'check, 1 more call',
    usage(
      await allot.getMeteredEntitlement({ customerId: 'acme', featureId: 'api-calls', options: { requestedUsage: 1 } }),
    ),
  );
  const sso = await allot.getBooleanEntitlement({ customerId: 'acme', featureId: 'sso' });
  show('single sign-on', sso.hasAccess ? '✓' : `✗ (${sso.accessDeniedReason})`);

  say('What would Pro cost today? An estimate, with a promotion code and 8% tax (nothing is stored)');
  const estimate = await allot.estimateSubscription({
    customerId: 'acme',
    planId: 'pro',
    promotionCode: 'WELCOME20',
    billingInformation: { taxPercentage: 8 },
  });
  const money = (m: { amount: number; currency: string }) => `${m.amount.toFixed(2)} ${m.currency}`;
  show('list price / month', money(estimate.subscription.subTotal));
  show('due today', `${money(estimate.total)} (discount ${estimate.discount?.value}%, tax ${money(estimate.tax)})`);

  say('Upgrading to Pro with the "5 extra seats" add-on (usage resets on a plan change by default)');
  await allot.provisionSubscription({
    customerId: 'acme',
    planId: 'pro',
    addons: [{ addonId: 'extra-seats', quantity: 1 }],
  });
  show('API calls', usage(await allot.getMeteredEntitlement({ customerId: 'acme', featureId: 'api-calls' })));
  await allot.reportUsage({ customerId: 'acme', featureId: 'seats', value: 12, updateBehavior: 'SET' });
  show(
    'seats (10 + 5 from add-on)',
    usage(await allot.getMeteredEntitlement({ customerId: 'acme', featureId: 'seats' })),
  );
  show(
    'single sign-on',
    (await allot.getBooleanEntitlement({ customerId: 'acme', featureId: 'sso' })).hasAccess ? '✓' : '✗',
  );

  await allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 2_500 });
  show(
    'API calls after 2,500',
    usage(await allot.getMeteredEntitlement({ customerId: 'acme', featureId: 'api-calls' })),
  );
  say(`Moving the clock one month forward: ${day(new Date(clock.now()))} → ${day(clock.advance({ months: 1 }))}`);
  const after = await allot.getMeteredEntitlement({ customerId: 'acme', featureId: 'api-calls' });
  show('API calls', `${usage(after)} (new period ${day(after.usagePeriodStart)} → ${day(after.usagePeriodEnd)})`);
  show('seats (never reset)', usage(await allot.getMeteredEntitlement({ customerId: 'acme', featureId: 'seats' })));

  say('Metering raw events: three llm.call events, one of them a retry with the same idempotency key');
  const call = (key: string, model: string, tokens: number, at?: Date) => ({
    customerId: 'acme',
    eventName: 'llm.call',
    idempotencyKey: key,
    dimensions: { model, tokens },
    ...(at ? { timestamp: at } : {}),
  });
  const events = await allot.reportEvent([
    call('req-1', 'small', 1_200),
    call('req-2', 'large', 2_300),
    call('req-1', 'small', 1_200),
    call('req-3', 'local', 9_999), // not a hosted model: the meter's filter skips it
  ]);
  show('events', `${events.accepted} counted, ${events.duplicates} duplicate`);
  const tokens = () => allot.getMeteredEntitlement({ customerId: 'acme', featureId: 'ai-tokens' });
  show('AI tokens', usage(await tokens()));

  say('Check-and-report in one transaction: 6,000 API calls twice against 10,000 (nothing is recorded when denied)');
  for (const attempt of [6_000, 6_000]) {
    const result = await allot.checkAndReportUsage({ customerId: 'acme', featureId: 'api-calls', value: attempt });
    show(
      `reserve ${attempt} API calls`,
      result.hasAccess
        ? `✓ usage now ${result.usage?.currentUsage}`
        : `✗ ${result.entitlement.accessDeniedReason} (usage stays ${result.entitlement.currentUsage})`,
    );
  }
  const late = new Date(clock.now() - 40 * 86_400_000);
  await allot.reportEvent(call('req-0', 'small', 700, late));
  show(
    'a late event',
    `stamped ${day(late)}: lands in that period, this one stays at ${(await tokens()).currentUsage}`,
  );
  const history = await allot.getUsageHistory({
    customerId: 'acme',
    featureId: 'ai-tokens',
    startDate: new Date(clock.now() - 60 * 86_400_000),
  });
  const points = history.series[0]?.points ?? [];
  show(
    'token history',
    points.map((p) => `${day(p.timestamp)}=${p.value}${p.isResetPoint ? ' (reset)' : ''}`).join(', '),
  );

  say('Credits: Pro refills 500 AI credits a month; acme buys 200 more; each image draws 5');
  const pool = { customerId: 'acme', currencyId: 'ai-credits' };
  const credits = async () => (await allot.getCreditEntitlement(pool)).currentBalance;
  show('balance from the plan', `${await credits()} credits`);
  const topUp = {
    ...pool,
    amount: 200,
    displayName: 'Top-up',
    cost: { amount: 2, currency: 'USD' },
    idempotencyKey: 'order-1',
  };
  const bought = await allot.grantCredits(topUp);
  const retried = await allot.grantCredits(topUp); // a retried request: the same grant, not a second top-up
  show('top-up, sent twice', `${bought.id === retried.id ? 'one grant' : 'two grants!'}, balance ${await credits()}`);
  const drawn = await allot.reportUsage({ customerId: 'acme', featureId: 'images', value: 30 });
  show('30 images', `drew ${drawn.credit?.consumed} credits, balance ${await credits()}`);
  const cost = await allot.estimateUsageCost({ customerId: 'acme', featureId: 'images', value: 200 });
  show('200 more would cost', `${cost.estimates[0]?.estimatedCost} (overdraft: ${cost.estimates[0]?.wouldOverdraft})`);
  show(
    'check, 200 more images',
    usage(
      await allot.getMeteredEntitlement({ customerId: 'acme', featureId: 'images', options: { requestedUsage: 200 } }),
    ),
  );
  const { data: entries } = await allot.getCreditLedger({ customerId: 'acme', currencyId: 'ai-credits' });
  // Every movement is a ledger entry; the entries always sum to the balance.
  show('ledger', entries.map((e) => `${e.eventType.replace('CREDITS_', '')} ${e.amount}`).join(', '));

  say('Budgets across an organisation: eng may use 100 images a month of the org-wide 150');
  await allot.governance.upsertEntities('acme', {
    entities: [
      { entityId: 'org', type: 'ORGANIZATION' },
      { entityId: 'eng', parentId: 'org', type: 'TEAM' },
      { entityId: 'ana', parentId: 'eng', type: 'USER' },
    ],
  });
  await allot.governance.setBudgets('acme', {
    budgets: [
      { entityId: 'org', capabilityId: 'images', limit: 150, resetPeriod: 'MONTH' },
      { entityId: 'eng', capabilityId: 'images', limit: 100, resetPeriod: 'MONTH' },
    ],
  });
  await allot.governance.ingest('acme', { events: [{ entityIds: ['ana'], capabilityId: 'images', amount: 90 }] });
  const asked = await allot.governance.check('acme', {
    entityIds: ['ana'],
    capabilityId: 'images',
    requestedAmount: 20,
  });
  show(
    'ana asks for 20 more',
    asked.hasAccess
      ? '✓'
      : `✗ denied by ${asked.deniedBy.map((b) => `${b.entityId} (${b.remaining} left)`).join(', ')}`,
  );

  say('Granting a one-month promotional entitlement to priority support');
  await allot.grantPromotionalEntitlements({
    customerId: 'acme',
    promotionalEntitlements: [{ featureId: 'priority-support', period: 'ONE_MONTH' }],
  });
  const support = () => allot.getBooleanEntitlement({ customerId: 'acme', featureId: 'priority-support' });
  show('priority support', (await support()).hasAccess ? '✓ granted' : '✗');
  clock.advance({ months: 1, days: 1 });
  const expired = await support();
  show('…a month later', expired.hasAccess ? '✓' : `✗ (${expired.accessDeniedReason})`);

  say('Cancelling Pro at the end of the billing period: the product moves acme to Free then');
  const [pro] = await allot.getActiveSubscriptions({ customerId: 'acme' });
  const canceled = await allot.cancelSubscription({
    subscriptionId: pro?.id ?? '',
    subscriptionCancellationTime: 'END_OF_BILLING_PERIOD',
  });
  show('Pro ends', day(canceled.endDate));
  clock.set(canceled.endDate ?? clock.now());
  const [now] = await allot.getActiveSubscriptions({ customerId: 'acme' });
  show('active plan after that', `${now?.planId} (${now?.status})`);
  await allot.close();

  say('Reopening the file in a fresh engine: every acknowledged write is still there');
  const reopened = Allot.initialize({ catalog, store: sqliteStore({ filename }), clock });
  const seats = await reopened.getMeteredEntitlement({ customerId: 'acme', featureId: 'seats' });
  show('seats (Free allows 2)', usage(seats));
  await reopened.close();
  console.log('\nDone. Next: `npm test` runs the suite; README.md tours the API.');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
