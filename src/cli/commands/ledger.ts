import { type CommandSpec, positiveInteger, stringOption, UsageError } from '../command.js';
import { fields, table } from '../output.js';

export const ledger: CommandSpec = {
  name: 'ledger',
  summary: "a customer's credit balance and ledger in one currency, oldest entry first",
  description: [
    'Like getCreditLedger, it first writes what is due in the pool (refills, expiries, scheduled grants):',
    'the store is opened for writing.',
  ].join('\n'),
  arguments: [{ name: 'customer', description: 'the customer id' }],
  options: {
    currency: { type: 'string', value: 'id', description: 'the credit currency (required)' },
    resource: { type: 'string', value: 'id', description: "the pool of one of the customer's resources" },
    limit: { type: 'string', value: 'n', description: 'entries per page, up to 1000 (default 100)' },
    after: { type: 'string', value: 'cursor', description: "the page after this cursor (the previous page's next)" },
  },
  store: 'write',
  examples: ['allot ledger acme --currency ai-credits --db allot.db'],
  async run({ args, options, allot }) {
    const currencyId = stringOption(options.currency);
    if (currencyId === undefined) throw new UsageError('--currency is required');
    const first = positiveInteger(options.limit, 'limit', 100);
    if (first > 1000) throw new UsageError('--limit is at most 1000');
    const after = stringOption(options.after);
    const resourceId = stringOption(options.resource);
    const engine = await allot();
    const pool = {
      customerId: args.customer as string,
      currencyId,
      ...(resourceId === undefined ? {} : { resourceId }),
    };
    const balance = await engine.getCreditEntitlement(pool);
    const page = await engine.getCreditLedger({
      ...pool,
      paging: { first, ...(after === undefined ? {} : { after }) },
    });
    const next = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    const entries = table(
      ['AT', 'TYPE', 'AMOUNT', 'GRANT', 'FEATURE'],
      page.data.map((e) => [e.timestamp, e.eventType, e.amount, e.grantId, e.featureId]),
      '(no entries)',
    );
    const text = [
      fields([
        ['balance', balance.currentBalance],
        ['granted', balance.totalGranted],
        ['consumed', balance.totalConsumed],
        ['next change', balance.nextResetDate ?? undefined],
      ]),
      entries + (next === null ? '' : `\nmore: --after ${next}\n`),
    ].join('\n');
    return { json: { balance, entries: page.data, next }, text };
  },
};
