// loadCatalog: a catalog from a JSON or YAML file, validated like Allot.initialize, every problem
// located at file:line:column.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { Allot, AllotError, type CatalogFileIssue, loadCatalog } from '../../src/index.js';
import { creditCatalog } from '../helpers/credit-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'allot-catalog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The AllotError loadCatalog rejects with. */
async function failure(path: string): Promise<AllotError> {
  const error = await loadCatalog(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!AllotError.is(error)) throw new Error(`expected an AllotError, got ${String(error)}`);
  return error;
}

async function issuesOf(path: string): Promise<CatalogFileIssue[]> {
  const error = await failure(path);
  expect(error.code).toBe('INVALID_CATALOG');
  return error.details as CatalogFileIssue[];
}

/** Where an issue is, as `line:column`, by its dotted path. */
async function located(path: string): Promise<Record<string, string>> {
  return Object.fromEntries(
    (await issuesOf(path)).map((i) => [[...i.path, ...(i.keys ?? [])].join('.'), `${i.line}:${i.column}`]),
  );
}

// The same catalog, with the same three problems, in both forms. Line and column of each problem:
// an unknown key (7:5 in YAML), a negative limit (13:21), a plan without its product (15:5).
const BAD_YAML = `features:
  - id: calls
    featureType: NUMBER
    meterType: Incremental
products:
  - id: app
    colour: red
plans:
  - id: free
    productId: app
    entitlements:
      - featureId: calls
        usageLimit: -5
      - featureId: calls-too
  - id: pro
`;

const BAD_JSON = `{
  "features": [
    { "id": "calls", "featureType": "NUMBER", "meterType": "Incremental" }
  ],
  "products": [{ "id": "app", "colour": "red" }],
  "plans": [
    {
      "id": "free",
      "productId": "app",
      "entitlements": [
        { "featureId": "calls", "usageLimit": -5 }
      ]
    },
\t{ "id": "pro" }
  ]
}
`;

describe('loadCatalog', () => {
  const catalog = creditCatalog();

  it('JSON and YAML files of one catalog load equal to it, and Allot.initialize takes them', async () => {
    const fromJson = await loadCatalog(file('catalog.json', JSON.stringify(catalog, null, 2)));
    const fromYaml = await loadCatalog(file('catalog.yaml', stringify(catalog)));
    const fromYml = await loadCatalog(file('catalog.yml', stringify(catalog, { indent: 4 })));
    expect(fromJson).toEqual(catalog);
    expect(fromYaml).toEqual(catalog);
    expect(fromYml).toEqual(catalog);
    const allot = Allot.initialize({ catalog: fromYaml });
    await allot.waitForInitialization();
    expect([...allot.catalog.plans.keys()]).toEqual(catalog.plans.map((p) => p.id));
    await allot.close();
  });

  it('YAML conveniences read as data: anchors and aliases, comments', async () => {
    const text = `# the catalog
features:
  - &calls { id: calls, featureType: NUMBER, meterType: Incremental }
products: [{ id: app }]
plans:
  - id: free
    productId: app
    entitlements: [{ featureId: calls, usageLimit: 10, resetPeriod: MONTH }]
addons: []
`;
    const loaded = await loadCatalog(file('anchors.yaml', text));
    expect(loaded.features).toEqual([{ id: 'calls', featureType: 'NUMBER', meterType: 'Incremental' }]);
  });

  it('locates every problem of a YAML file at its line and column', async () => {
    expect(await located(file('bad.yaml', BAD_YAML))).toEqual({
      'products.0.colour': '7:5',
      'plans.0.entitlements.0.usageLimit': '13:21',
      'plans.1.productId': '15:5',
    });
  });

  it('locates the same problems in a JSON file, whatever its whitespace', async () => {
    expect(await located(file('bad.json', BAD_JSON))).toEqual({
      'products.0.colour': '5:31',
      'plans.0.entitlements.0.usageLimit': '11:47',
      'plans.1.productId': '14:2',
    });
  });

  it("names each issue's file:line:column in details and in the message", async () => {
    const path = file('message.yaml', BAD_YAML);
    const error = await failure(path);
    const issue = (error.details as CatalogFileIssue[]).find((i) => i.path.at(-1) === 'usageLimit');
    expect(issue).toMatchObject({ file: path, line: 13, column: 21, location: `${path}:13:21` });
    expect(error.message).toContain(`${path}:13:21 plans.0.entitlements.0.usageLimit: `);
  });

  it('locates problems found past the shape: references between plans, features and add-ons', async () => {
    const text = BAD_YAML.replace('    colour: red\n', '')
      .replace('usageLimit: -5', 'usageLimit: 5')
      .replace('  - id: pro\n', '  - id: pro\n    productId: app\n    basePlanId: nowhere\n');
    expect(await located(file('refs.yaml', text))).toEqual({
      'plans.0.entitlements.1.featureId': '13:20',
      'plans.1.basePlanId': '16:17',
    });
  });

  it('a file that does not parse is INVALID_CATALOG at the spot', async () => {
    const yamlIssues = await issuesOf(file('broken.yaml', 'features:\n  - id: a\n   featureType: BOOLEAN\n'));
    expect(yamlIssues[0]).toMatchObject({ path: [], line: 3 });
    const jsonIssues = await issuesOf(file('broken.json', '{\n  "features": [\n    { "id": "a", }\n  ]\n'));
    expect(jsonIssues[0]).toMatchObject({ path: [], line: 5 });
    // A .json file holds JSON's scalars only: a bare word is not a string there.
    const bare = await issuesOf(file('bare.json', '{ "features": [ { "id": calls } ] }'));
    expect(bare[0]).toMatchObject({ line: 1, column: 25 });
  });

  it('an empty file is a catalog of nothing: INVALID_CATALOG at 1:1', async () => {
    expect(await issuesOf(file('empty.yaml', ''))).toMatchObject([{ path: [], line: 1, column: 1 }]);
  });

  it('a file that cannot be read is CATALOG_NOT_FOUND, with the system code', async () => {
    const missing = await failure(join(dir, 'nope.yaml'));
    expect(missing.code).toBe('CATALOG_NOT_FOUND');
    expect(missing.details).toMatchObject({ code: 'ENOENT' });
    expect(missing.message).toContain('nope.yaml');
    const folder = join(dir, 'a-folder.json');
    mkdirSync(folder);
    expect((await failure(folder)).code).toBe('CATALOG_NOT_FOUND');
    expect((await failure('' as string)).code).toBe('INVALID_INPUT');
    expect((await failure(42 as unknown as string)).code).toBe('INVALID_INPUT');
  });
});
