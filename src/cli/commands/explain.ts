import type { EntitlementExplanation, ExplainedValue } from '../../index.js';
import { type CommandSpec, stringOption } from '../command.js';
import { fields, table } from '../output.js';

/** A grant's or source's value in a few words. */
function value(v: ExplainedValue): string {
  if (v.enumValues) return v.enumValues.join(', ');
  const limit = v.isUnlimited ? 'unlimited' : v.usageLimit === null ? 'granted' : `limit ${v.usageLimit}`;
  return [limit, v.hasSoftLimit ? 'soft' : '', v.resetPeriod ? `per ${v.resetPeriod.toLowerCase()}` : '']
    .filter(Boolean)
    .join(', ');
}

/** The explanation as a person reads it: the decision, every grant and its sources, the usage and credits. */
function text(e: EntitlementExplanation): string {
  const sources = e.grants.flatMap((g) =>
    g.sources.map((s) => [
      `${g.kind.toLowerCase()} ${g.id}${g.won ? ' (won)' : ''}`,
      `${s.kind.toLowerCase().replace('_', ' ')} ${s.id}${s.quantity === undefined ? '' : ` × ${s.quantity}`}`,
      value(s.value),
      String(s.effect).toLowerCase(),
    ]),
  );
  const parts = [
    fields([
      ['decision', e.summary],
      ['winner', e.winner ? `${e.winner.grantId}: ${e.winner.reason}` : undefined],
      ['effective', e.effective ? value(e.effective) : undefined],
      ['usage', e.usage ? `${e.usage.currentUsage} (window from ${e.usage.windowFrom})` : undefined],
      [
        'period',
        e.usage?.periodStart && `${e.usage.periodStart.toISOString()} .. ${e.usage.periodEnd?.toISOString() ?? ''}`,
      ],
      [
        'credits',
        e.credits ? `${e.credits.balance} ${e.credits.currencyId}, ${e.credits.creditsPerUnit} per unit` : undefined,
      ],
    ]),
  ];
  if (sources.length > 0) parts.push(table(['grant', 'source', 'value', 'effect'], sources));
  return parts.join('\n');
}

export const explain: CommandSpec = {
  name: 'explain',
  summary: 'why a check is granted or denied: every source, the winner, the usage and credits',
  description: 'Answers explainEntitlement({ customerId, featureId, resourceId }).',
  arguments: [
    { name: 'customer', description: 'the customer id' },
    { name: 'feature', description: 'the feature id' },
  ],
  options: {
    resource: { type: 'string', value: 'id', description: "explain within one of the customer's resources" },
  },
  store: 'read',
  examples: ['allot explain acme api-calls --db allot.db', 'allot explain acme api-calls --db allot.db --json'],
  async run({ args, options, allot }) {
    const resourceId = stringOption(options.resource);
    const explanation = await (await allot()).explainEntitlement({
      customerId: args.customer as string,
      featureId: args.feature as string,
      ...(resourceId === undefined ? {} : { resourceId }),
    });
    return { json: explanation, text: text(explanation) };
  },
};
