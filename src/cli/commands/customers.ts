import type { CustomerRecord, Entitlement } from '../../index.js';
import { type CommandSpec, positiveInteger, stringOption } from '../command.js';
import { fields, table } from '../output.js';

/** A customer record as the command line shows it: instants as dates. */
const customerJson = (c: CustomerRecord) => ({
  id: c.id,
  name: c.name,
  email: c.email,
  billingId: c.billingId,
  couponId: c.couponId,
  metadata: c.metadata,
  createdAt: new Date(c.createdAt),
  updatedAt: new Date(c.updatedAt),
  archivedAt: c.archivedAt === null ? null : new Date(c.archivedAt),
});

export const customers: CommandSpec = {
  name: 'customers',
  summary: 'list customers, by id, a page at a time',
  options: {
    limit: { type: 'string', value: 'n', description: 'customers per page (default 50)' },
    after: { type: 'string', value: 'id', description: 'the page after this customer id' },
  },
  store: 'read',
  examples: ['allot customers --db allot.db', 'allot customers --db allot.db --after acme --limit 100 --json'],
  async run({ options, store }) {
    const limit = positiveInteger(options.limit, 'limit', 50);
    const afterId = stringOption(options.after);
    // One more than the page, to know whether another follows.
    const found = await (await store()).read((r) => r.listCustomers({ afterId, limit: limit + 1 }));
    const page = found.slice(0, limit).map(customerJson);
    const next = found.length > limit ? (page.at(-1)?.id ?? null) : null;
    const rows = page.map((c) => [c.id, c.name, c.email, c.createdAt, c.archivedAt ? 'archived' : '']);
    const more = next === null ? '' : `\nmore: --after ${next}\n`;
    return {
      json: { customers: page, next },
      text: table(['ID', 'NAME', 'EMAIL', 'CREATED', 'STATUS'], rows, '(no customers)') + more,
    };
  },
};

/** A metered entitlement's usage as `used / limit`. */
function usage(e: Entitlement): string {
  if (e.type === 'METERED') return `${e.currentUsage} / ${e.isUnlimited ? 'unlimited' : (e.usageLimit ?? '')}`;
  if (e.type === 'NUMERIC') return e.isUnlimited ? 'unlimited' : String(e.value ?? '');
  if (e.type === 'ENUM') return e.enumValues.join(', ');
  return '';
}

export const customer: CommandSpec = {
  name: 'customer',
  summary: "a customer's details, subscriptions and entitlements with their usage",
  arguments: [{ name: 'customer', description: 'the customer id' }],
  options: {
    resource: { type: 'string', value: 'id', description: "the entitlements of one of the customer's resources" },
  },
  store: 'read',
  examples: ['allot customer acme --db allot.db', 'allot customer acme --db allot.db --json'],
  async run({ args, options, allot }) {
    const engine = await allot();
    const customerId = args.customer as string;
    const details = await engine.getCustomer(customerId);
    const state = await engine.getEntitlementsState(customerId, stringOption(options.resource) ?? null);
    const subscriptions = table(
      ['ID', 'PLAN', 'STATUS', 'RESOURCE', 'STARTED', 'ENDS'],
      details.subscriptions.map((s) => [
        s.id,
        `${s.planId} v${s.planVersion}`,
        s.status,
        s.resourceId,
        s.startDate,
        s.effectiveEndDate,
      ]),
      '(no subscriptions)',
    );
    const promotions = details.promotionalEntitlements.length
      ? `\nPromotions\n${table(
          ['FEATURE', 'STATUS', 'LIMIT', 'ENDS'],
          details.promotionalEntitlements.map((p) => [
            p.featureId,
            p.status,
            p.hasUnlimitedUsage ? 'unlimited' : p.usageLimit,
            p.endDate,
          ]),
        )}`
      : '';
    const entitlements = table(
      ['FEATURE', 'TYPE', 'ACCESS', 'USAGE', 'RESETS'],
      state.entitlements.map((e) => [
        e.feature?.id,
        e.type,
        e.hasAccess ? 'yes' : `no (${e.accessDeniedReason})`,
        usage(e),
        e.type === 'METERED' ? e.usagePeriodEnd : undefined,
      ]),
      state.accessDeniedReason ? `(none: ${state.accessDeniedReason})` : '(none)',
    );
    const text = [
      fields([
        ['id', details.id],
        ['name', details.name],
        ['email', details.email],
        ['created', details.createdAt],
        ['archived', details.archivedAt ?? undefined],
      ]),
      `Subscriptions\n${subscriptions}${promotions}`,
      `Entitlements\n${entitlements}`,
    ].join('\n');
    return { json: { customer: details, entitlements: state }, text };
  },
};
