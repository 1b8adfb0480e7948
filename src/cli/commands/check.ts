import type { Entitlement } from '../../index.js';
import { type CommandSpec, nonNegativeNumber, stringOption } from '../command.js';
import { fields } from '../output.js';

/** The answer's fields worth a line each, in the order a person reads them. */
function lines(e: Entitlement): [string, unknown][] {
  const common: [string, unknown][] = [
    ['feature', e.feature?.id],
    ['type', e.type],
    ['access', e.hasAccess ? 'granted' : 'denied'],
    ['reason', e.accessDeniedReason],
  ];
  switch (e.type) {
    case 'METERED':
      return [
        ...common,
        ['usage', e.currentUsage],
        ['requested', e.requestedUsage || undefined],
        ['limit', e.isUnlimited ? 'unlimited' : e.usageLimit],
        ['soft limit', e.hasSoftLimit || undefined],
        ['resets', e.resetPeriod],
        [
          'period',
          e.usagePeriodStart && `${e.usagePeriodStart.toISOString()} .. ${e.usagePeriodEnd?.toISOString() ?? ''}`,
        ],
      ];
    case 'NUMERIC':
      return [...common, ['value', e.isUnlimited ? 'unlimited' : e.value]];
    case 'ENUM':
      return [...common, ['values', e.enumValues.join(', ')]];
    default:
      return common;
  }
}

export const check: CommandSpec = {
  name: 'check',
  summary: 'check a feature for a customer, as the app would',
  description: 'Answers getEntitlement({ customerId, featureId, resourceId, options: { requestedUsage } }).',
  arguments: [
    { name: 'customer', description: 'the customer id' },
    { name: 'feature', description: 'the feature id' },
  ],
  options: {
    resource: { type: 'string', value: 'id', description: "check within one of the customer's resources" },
    requested: { type: 'string', value: 'n', description: 'the usage about to be added (metered features)' },
  },
  store: 'read',
  examples: [
    'allot check acme api-calls --db allot.db',
    'allot check acme api-calls --requested 10 --db allot.db --json',
  ],
  async run({ args, options, allot }) {
    const requestedUsage = nonNegativeNumber(options.requested, 'requested');
    const resourceId = stringOption(options.resource);
    const answer = await (await allot()).getEntitlement({
      customerId: args.customer as string,
      featureId: args.feature as string,
      ...(resourceId === undefined ? {} : { resourceId }),
      ...(requestedUsage === undefined ? {} : { options: { requestedUsage } }),
    });
    return { json: answer, text: fields(lines(answer)) };
  },
};
