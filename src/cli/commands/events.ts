import { type CommandSpec, positiveInteger, stringOption } from '../command.js';
import { CliError } from '../open-store.js';
import { table } from '../output.js';

export const events: CommandSpec = {
  name: 'events',
  summary: "the keys of a customer's raw events, and when each arrived",
  description: [
    'allot keeps of a raw event only its idempotency key and when it arrived, to skip a retried',
    'event (until usageHistoryRetentionMs forgets the key); what the event counted is in the usage',
    'history of the features its meters matched. Keys are listed in key order.',
  ].join('\n'),
  arguments: [{ name: 'customer', description: 'the customer id' }],
  options: {
    limit: { type: 'string', value: 'n', description: 'keys per page (default 100)' },
    after: { type: 'string', value: 'key', description: 'the page after this idempotency key' },
  },
  store: 'read',
  examples: ['allot events acme --db allot.db', 'allot events acme --db allot.db --after evt-0042 --json'],
  async run({ args, options, store }) {
    const customerId = args.customer as string;
    const limit = positiveInteger(options.limit, 'limit', 100);
    const afterKey = stringOption(options.after);
    const { found, keys } = await (await store()).read(async (r) => ({
      found: (await r.getCustomer(customerId)) !== undefined,
      keys: await r.listEventKeys({ customerId, afterKey, limit: limit + 1 }),
    }));
    if (!found) throw new CliError(`customer "${customerId}" not found`);
    const page = keys
      .slice(0, limit)
      .map((k) => ({ idempotencyKey: k.idempotencyKey, receivedAt: new Date(k.createdAt) }));
    const next = keys.length > limit ? (page.at(-1)?.idempotencyKey ?? null) : null;
    const text =
      table(
        ['IDEMPOTENCY KEY', 'RECEIVED'],
        page.map((k) => [k.idempotencyKey, k.receivedAt]),
        '(no event keys)',
      ) + (next === null ? '' : `\nmore: --after ${next}\n`);
    return { json: { customerId, events: page, next }, text };
  },
};
