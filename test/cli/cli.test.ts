// The `allot` command line, run as a child process against a SQLite file the library wrote: its
// answers equal the library's, a read never writes, and a mistake is one line on stderr, a
// non-zero exit and no file created. The source is bundled once by esbuild, as tsup builds it,
// into node_modules/.cache so its dependencies resolve: starting tsx per run would cost a second.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Allot, ManualClock } from '../../src/index.js';
import { postgresStore } from '../../src/stores/postgres/index.js';
import { sqliteStore } from '../../src/stores/sqlite/index.js';
import { AI_CREDITS, creditCatalog, monthlyCredits } from '../helpers/credit-fixtures.js';
import { START } from '../helpers/fixtures.js';
import { dropSchema, freshSchema, postgresUrl, queryPostgres, skipWithoutPostgres } from '../helpers/postgres.js';

const REPO = new URL('../..', import.meta.url).pathname;
const CLI = join(REPO, 'node_modules/.cache/allot-cli', `cli-${process.pid}-${Date.now()}.mjs`);

const catalog = creditCatalog({
  features: [
    {
      id: 'completions',
      featureType: 'NUMBER',
      meterType: 'Incremental',
      meter: { eventName: 'llm.call', aggregation: { function: 'COUNT' } },
    },
  ],
  planChanges: {
    pro: {
      creditEntitlements: monthlyCredits(100),
      entitlements: [
        { featureId: 'api-calls', usageLimit: 1000, resetPeriod: 'MONTH' },
        { featureId: 'seats', usageLimit: 10 },
        { featureId: 'sso' },
        { featureId: 'completions', usageLimit: 50, resetPeriod: 'MONTH' },
      ],
    },
  },
});
const FEATURES = catalog.features.map((f) => f.id);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `allot <args>`, with `input` on stdin. */
function allot(args: readonly string[], input?: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO, env: { ...process.env, NODE_OPTIONS: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** Parses a command's --json output. */
function json(result: Result): unknown {
  expect(result).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(result.stdout);
}

/** What a value is as JSON: dates as ISO strings. */
const asJson = (value: unknown) => JSON.parse(JSON.stringify(value));

/** One line on stderr, no stack trace, and the given exit code. */
function expectOneLine(result: Result, code: number, says: string | RegExp): void {
  expect(result.code).toBe(code);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(says);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

let dir: string;
let db: string;
const files = () => readdirSync(dir).sort();
const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The library on a file, with the system clock as the command line has. */
async function library<T>(file: string, use: (a: Allot) => Promise<T>): Promise<T> {
  const opened = await Allot.open({ store: sqliteStore({ filename: file }) });
  try {
    return await use(opened);
  } finally {
    await opened.close();
  }
}

beforeAll(async () => {
  await build({
    entryPoints: [join(REPO, 'src/cli/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: CLI,
    logLevel: 'silent',
  });
  dir = mkdtempSync(join(tmpdir(), 'allot-cli-'));
  db = join(dir, 'allot.db');
  const clock = new ManualClock(START);
  const writer = Allot.initialize({ catalog, store: sqliteStore({ filename: db }), clock });
  await writer.waitForInitialization();
  await writer.provisionCustomer({
    customerId: 'acme',
    name: 'Acme',
    email: 'ops@acme.test',
    subscriptionParams: { planId: 'pro' },
  });
  await writer.provisionCustomer({ customerId: 'globex', subscriptionParams: { planId: 'free' } });
  await writer.provisionCustomer({ customerId: 'initech' });
  await writer.reportUsage({ customerId: 'acme', featureId: 'seats', value: 4 });
  await writer.reportEvent([
    { customerId: 'acme', eventName: 'llm.call', idempotencyKey: 'evt-2', dimensions: {} },
    { customerId: 'acme', eventName: 'llm.call', idempotencyKey: 'evt-1', dimensions: {} },
  ]);
  await writer.grantCredits({ customerId: 'acme', currencyId: AI_CREDITS, amount: 25, displayName: 'top-up' });
  await writer.consumeCredits({ customerId: 'acme', currencyId: AI_CREDITS, amount: 5, idempotencyKey: 'use-1' });
  await writer.close();
}, 60_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(CLI, { force: true });
});

describe('allot, on a SQLite file the library wrote', { timeout: 60_000 }, () => {
  it('--help lists every command, and each command has its own --help', async () => {
    const top = await allot(['--help']);
    expect(top.code).toBe(0);
    const names = ['customers', 'customer', 'check', 'explain', 'ledger', 'events', 'migrate', 'export', 'import'];
    for (const name of names) expect(top.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    for (const name of names) {
      const own = await allot([name, '--help']);
      expect(own.code).toBe(0);
      expect(own.stdout).toContain(`Usage: allot ${name}`);
      expect(own.stdout).toContain('--json');
    }
    expect((await allot(['events', '--help'])).stdout).toContain('only its idempotency key and when it arrived');
  });

  it('customers --json lists the customers by id, a page at a time', async () => {
    const all = json(await allot(['customers', '--db', db, '--json'])) as { customers: { id: string }[] };
    expect(all.customers.map((c) => c.id)).toEqual(['acme', 'globex', 'initech']);
    expect(all.customers[0]).toMatchObject({ id: 'acme', name: 'Acme', email: 'ops@acme.test', createdAt: START });
    expect(json(await allot(['customers', '--db', db, '--json', '--limit', '1']))).toMatchObject({
      customers: [{ id: 'acme' }],
      next: 'acme',
    });
    expect(json(await allot(['customers', '--db', db, '--json', '--after', 'acme', '--limit', '2']))).toMatchObject({
      customers: [{ id: 'globex' }, { id: 'initech' }],
      next: null,
    });
    const table = await allot(['customers', '--db', db]);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+EMAIL\s+CREATED\s+STATUS$/);
  });

  it('customer shows the customer, subscriptions and entitlements as the library does', async () => {
    const shown = json(await allot(['customer', 'acme', '--db', db, '--json']));
    const expected = await library(db, async (a) => ({
      customer: await a.getCustomer('acme'),
      entitlements: await a.getEntitlementsState('acme'),
    }));
    expect(shown).toEqual(asJson(expected));
    const text = (await allot(['customer', 'acme', '--db', db])).stdout;
    expect(text).toMatch(/^Subscriptions$/m);
    expect(text).toMatch(/^seats\s+METERED\s+yes\s+4 \/ 10/m);
  });

  it('check --json answers what getEntitlement answers, for every feature', async () => {
    for (const featureId of FEATURES) {
      const shown = json(await allot(['check', 'acme', featureId, '--db', db, '--requested', '3', '--json']));
      const expected = await library(db, (a) =>
        a.getEntitlement({ customerId: 'acme', featureId, options: { requestedUsage: 3 } }),
      );
      expect(shown).toEqual(asJson(expected));
    }
    expect((await allot(['check', 'acme', 'seats', '--db', db])).stdout).toMatch(/^access\s+granted$/m);
    expect((await allot(['check', 'globex', 'sso', '--db', db])).stdout).toMatch(/^access\s+denied$/m);
  });

  it('explain --json answers what explainEntitlement answers, and the table names the winner', async () => {
    for (const featureId of FEATURES) {
      // `at` is the instant explained: each process's own clock.
      const { at: _, ...shown } = json(await allot(['explain', 'acme', featureId, '--db', db, '--json'])) as {
        at: string;
      };
      const { at: __, ...expected } = await library(db, (a) => a.explainEntitlement({ customerId: 'acme', featureId }));
      expect(shown).toEqual(asJson(expected));
    }
    const text = (await allot(['explain', 'acme', 'seats', '--db', db])).stdout;
    expect(text).toMatch(/^decision\s+granted/m);
    expect(text).toMatch(/\(won\)/);
    expectOneLine(
      await allot(['explain', 'acme', 'no-such-feature', '--db', db]),
      1,
      /FEATURE_NOT_FOUND|no-such-feature/,
    );
  });

  it('catalog validate: a valid file, and a bad one with file:line:column, without a store', async () => {
    const good = join(dir, 'catalog.json');
    writeFileSync(good, JSON.stringify(catalog, null, 2));
    expect(json(await allot(['catalog', 'validate', good, '--json']))).toMatchObject({ file: good, valid: true });
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'features:\n  - id: sso\n    featureType: BOOLEAN\n    colour: red\nproducts: []\nplans: []\n');
    const refused = await allot(['catalog', 'validate', bad]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`${bad}:4:5`);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
  });

  it('ledger shows the balance and the ledger of a currency as the library does', async () => {
    const shown = json(await allot(['ledger', 'acme', '--currency', AI_CREDITS, '--db', db, '--json'])) as {
      entries: unknown[];
    };
    const expected = await library(db, async (a) => ({
      balance: await a.getCreditEntitlement({ customerId: 'acme', currencyId: AI_CREDITS }),
      entries: (await a.getCreditLedger({ customerId: 'acme', currencyId: AI_CREDITS, paging: { first: 100 } })).data,
      next: null,
    }));
    expect(shown).toEqual(asJson(expected));
    expect(shown.entries.length).toBeGreaterThan(2);
  });

  it("events lists the keys of a customer's events and when each arrived", async () => {
    const shown = json(await allot(['events', 'acme', '--db', db, '--json'])) as {
      events: { idempotencyKey: string; receivedAt: string }[];
    };
    expect(shown.events.map((e) => e.idempotencyKey)).toEqual(['evt-1', 'evt-2']);
    expect(shown.events[0]?.receivedAt).toBe(START);
    expect(json(await allot(['events', 'acme', '--db', db, '--json', '--limit', '1']))).toMatchObject({
      next: 'evt-1',
    });
    expectOneLine(await allot(['events', 'nobody', '--db', db]), 1, /customer "nobody" not found/);
  });

  it('reads never write: the file is byte for byte the same, and nothing is created beside it', async () => {
    const before = { files: files(), digest: digest(db) };
    await allot(['customers', '--db', db]);
    await allot(['customer', 'acme', '--db', db]);
    await allot(['check', 'acme', 'seats', '--db', db]);
    await allot(['explain', 'acme', 'seats', '--db', db]);
    await allot(['events', 'acme', '--db', db]);
    await allot(['export', '--db', db]);
    expect({ files: files(), digest: digest(db) }).toEqual(before);
  });

  it('export then import into a new file reproduces every check', async () => {
    const dump = join(dir, 'dump.jsonl');
    const copy = join(dir, 'copy.db');
    const exported = await allot(['export', '--db', db, '--out', dump, '--json']);
    expect(json(exported)).toMatchObject({ out: dump });
    const imported = json(await allot(['import', '--in', dump, '--db', copy, '--json'])) as { records: number };
    expect(imported.records).toBe(readFileSync(dump, 'utf8').trimEnd().split('\n').length - 2);
    const answers = (file: string) =>
      library(file, async (a) => {
        const seen = [];
        for (const customerId of ['acme', 'globex', 'initech'])
          for (const featureId of FEATURES) seen.push(await a.getEntitlement({ customerId, featureId }));
        seen.push(await a.getCreditEntitlement({ customerId: 'acme', currencyId: AI_CREDITS }));
        return seen;
      });
    expect(await answers(copy)).toEqual(await answers(db));
    // To stdout, and back from stdin.
    const piped = join(dir, 'piped.db');
    const stdout = await allot(['export', '--db', db]);
    expect(stdout.code).toBe(0);
    expect(stdout.stdout.split('\n')[0]).toContain('"type":"header"');
    expect((await allot(['import', '--in', '-', '--db', piped], stdout.stdout)).code).toBe(0);
    expect(await answers(piped)).toEqual(await answers(db));
    // A store that holds anything is refused, and left as it was.
    const held = digest(copy);
    expectOneLine(await allot(['import', '--in', dump, '--db', copy]), 1, /import only into an empty store/);
    expect(digest(copy)).toBe(held);
  });

  it('migrate brings the tables up to date, and with --subscriptions moves subscriptions to the latest versions', async () => {
    const file = join(dir, 'migrate.db');
    const clock = new ManualClock(START);
    const first = Allot.initialize({ catalog, store: sqliteStore({ filename: file }), clock });
    await first.waitForInitialization();
    await first.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'free' } });
    await first.close();
    const raised = {
      ...catalog,
      plans: catalog.plans.map((p) => (p.id === 'free' ? { ...p, displayName: 'Free forever' } : p)),
    };
    const second = Allot.initialize({ catalog: raised, store: sqliteStore({ filename: file }), clock });
    await second.waitForInitialization();
    await second.close();
    expect(json(await allot(['migrate', '--db', file, '--json']))).toMatchObject({ outdated: 1, migrated: 0 });
    expect(json(await allot(['migrate', '--db', file, '--subscriptions', '--json']))).toMatchObject({
      subscriptions: 1,
      outdated: 1,
      migrated: 1,
      failed: [],
    });
    const [subscription] = await library(file, (a) => a.getActiveSubscriptions({ customerId: 'acme' }));
    expect(subscription?.planVersion).toBe(2);
    expect(json(await allot(['migrate', '--db', file, '--json']))).toMatchObject({ outdated: 0 });
  });
});

describe('allot, given a mistake', { timeout: 60_000 }, () => {
  const missing = () => join(dir, 'missing.db');

  it('a missing file: one line, exit 1, and no file created', async () => {
    for (const args of [
      ['customers', '--db', missing()],
      ['check', 'acme', 'sso', '--db', missing()],
      ['migrate', '--db', missing()],
      ['ledger', 'acme', '--currency', AI_CREDITS, '--db', missing()],
      ['export', '--db', missing()],
    ])
      expectOneLine(await allot(args), 1, /missing\.db: no such file$/);
    expect(existsSync(missing())).toBe(false);
  });

  it('a bad argument: one line, exit 2, and no file created', async () => {
    const cases: [string[], RegExp][] = [
      [['nonsense'], /unknown command 'nonsense'/],
      [['customers', '--db', db, '--limit', 'many'], /--limit must be a positive integer/],
      [['customers', '--db', db, '--nope'], /unknown option --nope/],
      [['customers', '--db'], /--db needs a value/],
      [['check', 'acme', '--db', db], /missing <feature>/],
      [['check', 'acme', 'sso', 'extra', '--db', db], /unexpected argument 'extra'/],
      [['check', 'acme', 'seats', '--db', db, '--requested=-1'], /--requested must be a number, 0 or more/],
      [['check', 'acme', 'seats', '--db', db, '--requested', '-1'], /--requested needs a value/],
      [['customers'], /name the store: --db <file>/],
      [['customers', '--db', db, '--postgres', 'postgres://x'], /give --db or --postgres, not both/],
      [['customers', '--db', db, '--schema', 's'], /--schema goes with --postgres/],
      [['ledger', 'acme', '--db', db], /--currency is required/],
      [['import', '--db', missing()], /--in is required/],
    ];
    for (const [args, says] of cases) expectOneLine(await allot(args), 2, says);
    expect(existsSync(missing())).toBe(false);
  });

  it('an import from a missing or broken dump creates nothing', async () => {
    expectOneLine(await allot(['import', '--in', join(dir, 'nope.jsonl'), '--db', missing()]), 1, /no such file/);
    const broken = join(dir, 'broken.jsonl');
    writeFileSync(broken, '{"type":"header","format":"allot-dump","version":1}\n');
    expectOneLine(
      await allot(['import', '--in', broken, '--db', missing()]),
      1,
      /dump line 1: .*exportId.*nothing kept: removed .*missing\.db, which this command created/,
    );
    expect(files().filter((f) => f.startsWith('missing'))).toEqual([]);
  });

  it('an export into a missing directory, an import from a directory: one line, exit 1', async () => {
    expectOneLine(await allot(['export', '--db', db, '--out', join(dir, 'no', 'x.jsonl')]), 1, /cannot write .*ENOENT/);
    expectOneLine(await allot(['import', '--in', dir, '--db', missing()]), 1, /: not a file$/);
    expect(existsSync(missing())).toBe(false);
  });

  it('a file that is not a database: one line, exit 1', async () => {
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'not a database, just text that is long enough to look like a header page');
    expectOneLine(await allot(['customers', '--db', text]), 1, /notes\.txt/);
  });

  it('a store without a catalog: one line saying so', async () => {
    const bare = join(dir, 'bare.db');
    const store = sqliteStore({ filename: bare });
    await store.open();
    await store.close();
    expectOneLine(await allot(['check', 'acme', 'sso', '--db', bare]), 1, /holds no catalog/);
  });
});

describe.skipIf(skipWithoutPostgres)('allot, on a PostgreSQL schema the library wrote', { timeout: 120_000 }, () => {
  const url = postgresUrl() ?? '';
  const schemas: string[] = [];
  const schema = () => {
    const name = freshSchema('cli');
    schemas.push(name);
    return name;
  };
  const exists = async (name: string) =>
    (await queryPostgres(`select 1 from pg_namespace where nspname = '${name}'`, url)).length > 0;
  const answers = async (name: string) => {
    const opened = await Allot.open({ store: postgresStore({ connectionString: url, schema: name }) });
    try {
      const seen = [];
      for (const featureId of FEATURES) seen.push(await opened.getEntitlement({ customerId: 'acme', featureId }));
      return seen;
    } finally {
      await opened.close();
    }
  };
  afterAll(async () => {
    for (const name of schemas) await dropSchema(name, url);
  });

  it('lists, checks, exports and imports into a new schema; a missing schema is never created', async () => {
    const source = schema();
    const writer = Allot.initialize({ catalog, store: postgresStore({ connectionString: url, schema: source }) });
    await writer.waitForInitialization();
    await writer.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'pro' } });
    await writer.reportUsage({ customerId: 'acme', featureId: 'seats', value: 3 });
    await writer.close();
    const on = (name: string) => ['--postgres', url, '--schema', name];
    expect(json(await allot(['customers', ...on(source), '--json']))).toMatchObject({ customers: [{ id: 'acme' }] });
    const check = json(await allot(['check', 'acme', 'seats', ...on(source), '--json']));
    const [seats] = (await answers(source)).filter((e) => e.feature?.id === 'seats');
    expect(check).toEqual(asJson(seats));
    const dump = join(dir, 'postgres.jsonl');
    expect((await allot(['export', ...on(source), '--out', dump])).code).toBe(0);
    const copy = schema();
    expect((await allot(['import', '--in', dump, ...on(copy)])).code).toBe(0);
    expect(await answers(copy)).toEqual(await answers(source));

    const missing = schema();
    expectOneLine(await allot(['customers', ...on(missing)]), 1, /no such schema/);
    // A password in the connection string never shows.
    const secret = url.replace(/^(\w+:\/\/[^:@/]*)@/, '$1:hunter2@');
    const refused = await allot(['customers', '--postgres', secret, '--schema', missing]);
    expectOneLine(refused, 1, /no such schema/);
    expect(refused.stderr).not.toContain('hunter2');
    const broken = join(dir, 'broken-postgres.jsonl');
    writeFileSync(broken, 'not a dump\n');
    expectOneLine(await allot(['import', '--in', broken, ...on(missing)]), 1, /dump line 1: not JSON.*removed schema/);
    expect(await exists(missing)).toBe(false);
  });
});

describe('the package bin', () => {
  it('bin/allot.js runs the command line (built, or from source in a checkout)', async () => {
    const { stdout } = await promisify(execFile)(join(REPO, 'bin/allot.js'), ['--help'], { cwd: REPO });
    expect(stdout).toContain('Usage: allot <command>');
    const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
      files: string[];
    };
    expect(manifest.bin).toEqual({ allot: './bin/allot.js' });
    expect(manifest.files).toContain('bin');
  });
});
