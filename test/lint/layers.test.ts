// The layering of src/ is enforced by biome's `style/noRestrictedImports`, one override per folder in biome.json.
// This suite plants imports that break (and keep) the layering and checks that the rule fires (or stays quiet).
//
// Biome does not print lint diagnostics in `--stdin-file-path` mode (by design: stdin mode only echoes the
// content back), so the planted files go into a throwaway project in the OS temp directory that mirrors the
// src/ layout and uses this repository's biome.json; nothing is ever written under src/.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const BIOME = join(REPO, 'node_modules/@biomejs/biome/bin/biome');
const RULE = 'lint/style/noRestrictedImports';

interface Case {
  /** What the planted import does. */
  name: string;
  /** Where the planted file sits, relative to the project root. */
  file: string;
  /** The planted file's content. */
  source: string;
  /** The start of the message the rule must report; `null` when the import is legitimate. */
  fires: string | null;
}

const use = (specifier: string) => `import { x } from '${specifier}';\n\nexport const y = x;\n`;

const violations: Case[] = [
  {
    name: 'core imports a store',
    file: 'src/core/planted-store.ts',
    source: use('../stores/memory/memory-store.js'),
    fires: 'core/ may not import stores/',
  },
  {
    name: 'core, one folder deeper, imports a store',
    file: 'src/core/deeper/planted.ts',
    source: use('../../stores/store.js'),
    fires: 'core/ may not import stores/',
  },
  {
    name: 'core imports a store type',
    file: 'src/core/planted-store-type.ts',
    source: "import type { Store } from '../stores/store.js';\n\nexport type S = Store;\n",
    fires: 'core/ may not import stores/',
  },
  {
    name: 'catalog imports the client',
    file: 'src/catalog/planted.ts',
    source: use('../client/allot.js'),
    fires: 'catalog/ may not import client/',
  },
  {
    name: 'proration re-exports from the client',
    file: 'src/proration/planted.ts',
    source: "export { x } from '../client/allot.js';\n",
    fires: 'proration/ may not import client/',
  },
  {
    name: 'governance imports the package entry, which re-exports the client',
    file: 'src/governance/planted.ts',
    source: use('../index.js'),
    fires: 'governance/ may not import the package entry',
  },
  {
    name: 'the sqlite store imports the client',
    file: 'src/stores/sqlite/planted.ts',
    source: use('../../client/allot.js'),
    fires: 'stores/ may not import client/',
  },
  {
    name: 'a store loads the client lazily',
    file: 'src/stores/planted.ts',
    source: "export const load = () => import('../client/allot.js');\n",
    fires: 'stores/ may not import client/',
  },
  {
    name: 'a service imports a sibling service',
    file: 'src/client/services/usage.ts',
    source: use('./credits.js'),
    fires: 'a service may not import another service',
  },
  {
    name: 'a service imports a service through the services folder',
    file: 'src/client/services/pricing.ts',
    source: use('../services/credits.js'),
    fires: 'a service may not import another service',
  },
  {
    name: 'the engine imports a service',
    file: 'src/client/engine/kernel.ts',
    source: use('../services/credits.js'),
    fires: 'client/engine/ may not import client/services/',
  },
  {
    name: 'the engine imports the façade',
    file: 'src/client/engine/planted-facade.ts',
    source: use('../allot.js'),
    fires: 'client/engine/ may not import the façade',
  },
  {
    name: 'pricing imports credits',
    file: 'src/pricing/planted.ts',
    source: use('../credits/credit-pool.js'),
    fires: 'pricing/ may not import credits/',
  },
  {
    name: 'credits imports pricing',
    file: 'src/credits/planted-pricing.ts',
    source: use('../pricing/price-charge.js'),
    fires: 'credits/ may not import pricing/',
  },
  {
    name: 'credits imports governance',
    file: 'src/credits/planted-governance.ts',
    source: use('../governance/governance-index.js'),
    fires: 'credits/ may not import governance/',
  },
  {
    name: 'core imports pricing',
    file: 'src/core/planted-pricing.ts',
    source: use('../pricing/tax.js'),
    fires: 'core/ may not import pricing/',
  },
  {
    name: 'catalog imports core',
    file: 'src/catalog/planted-core.ts',
    source: use('../core/reset-period.js'),
    fires: 'catalog/ may not import core/',
  },
  {
    name: 'money imports model',
    file: 'src/money/planted.ts',
    source: use('../model/enums.js'),
    fires: 'money/ may not import model/',
  },
  {
    name: 'model imports money',
    file: 'src/model/planted.ts',
    source: use('../money/money.js'),
    fires: 'model/ may not import money/',
  },
  {
    name: 'errors.ts imports a module',
    file: 'src/errors.ts',
    source: use('./model/enums.js'),
    fires: 'errors.ts may not import another module of src/',
  },
  {
    name: 'the command line imports the client',
    file: 'src/cli/planted.ts',
    source: use('../client/allot.js'),
    fires: 'the command line uses allot as its users do',
  },
  {
    name: 'a command imports a store internal',
    file: 'src/cli/commands/planted.ts',
    source: use('../../stores/sqlite/sqlite-store.js'),
    fires: 'the command line uses allot as its users do',
  },
];

const legitimate: Case[] = [
  {
    name: 'the command line imports the package entry, a store entry and its own modules',
    file: 'src/cli/commands/legit.ts',
    source:
      "import { a } from '../../index.js';\nimport { b } from '../../stores/sqlite/index.js';\n" +
      "import { c } from '../command.js';\nimport { d } from './check.js';\n\nexport const y = [a, b, c, d];\n",
    fires: null,
  },
  {
    name: 'the command line module imports the package entry and a store entry',
    file: 'src/cli/legit.ts',
    source:
      "import { a } from '../index.js';\nimport { b } from '../stores/postgres/index.js';\n" +
      "import { c } from './commands/index.js';\n\nexport const y = [a, b, c];\n",
    fires: null,
  },
  {
    name: 'core imports model, catalog, money, errors and itself',
    file: 'src/core/legit.ts',
    source:
      "import { a } from '../catalog/catalog.js';\nimport { b } from '../errors.js';\nimport { c } from '../model/enums.js';\n" +
      "import { d } from '../money/money.js';\nimport { e } from './reset-period.js';\n\nexport const y = [a, b, c, d, e];\n",
    fires: null,
  },
  {
    name: 'pricing imports proration and core',
    file: 'src/pricing/legit.ts',
    source:
      "import { a } from '../core/reset-period.js';\nimport { b } from '../proration/proration.js';\n\nexport const y = [a, b];\n",
    fires: null,
  },
  {
    name: 'credits imports core and catalog',
    file: 'src/credits/legit.ts',
    source:
      "import { a } from '../catalog/catalog.js';\nimport { b } from '../core/usage-history.js';\n\nexport const y = [a, b];\n",
    fires: null,
  },
  {
    name: 'a store imports the pure folders and its own folder',
    file: 'src/stores/sqlite/legit.ts',
    source:
      "import { a } from '../../credits/credit-records.js';\nimport { b } from '../../governance/governance-records.js';\n" +
      "import { c } from '../../pricing/tax.js';\nimport { d } from '../sql/usage-queries.js';\nimport { e } from '../store.js';\n" +
      "import { f } from './index.js';\n\nexport const y = [a, b, c, d, e, f];\n",
    fires: null,
  },
  {
    name: 'a service imports the engine, a store, the pure folders and a client helper',
    file: 'src/client/services/legit.ts',
    source:
      "import { a } from '../../pricing/estimate.js';\nimport { b } from '../../stores/store.js';\n" +
      "import { c } from '../engine/kernel.js';\nimport { d } from '../fast-input.js';\n\nexport const y = [a, b, c, d];\n",
    fires: null,
  },
  {
    name: 'the engine imports itself, a store and the pure folders',
    file: 'src/client/engine/legit.ts',
    source:
      "import { a } from '../../core/subscription-state.js';\nimport { b } from '../../stores/store.js';\n" +
      "import { c } from './listeners.js';\n\nexport const y = [a, b, c];\n",
    fires: null,
  },
  {
    name: 'the façade imports services, the engine and the stores',
    file: 'src/client/allot.ts',
    source:
      "import { a } from '../stores/memory/memory-store.js';\nimport { b } from './engine/kernel.js';\n" +
      "import { c } from './services/credits.js';\n\nexport const y = [a, b, c];\n",
    fires: null,
  },
];

interface Diagnostic {
  category: string;
  message: string;
  location: { path: string };
}

interface Report {
  summary: { changed: number; unchanged: number };
  diagnostics: Diagnostic[];
}

/** Lints every file under `root`/src with the layering rule only: one biome process for all the cases. */
function lint(root: string): Promise<Report> {
  return new Promise((done, fail) => {
    const args = ['lint', '--only=style/noRestrictedImports', '--reporter=json', '--max-diagnostics=none', 'src'];
    const child = spawn(process.execPath, [BIOME, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', fail);
    child.on('close', (status) => {
      try {
        done(JSON.parse(stdout) as Report);
      } catch {
        fail(new Error(`biome printed no JSON report (exit ${status}):\n${stdout}\n${stderr}`));
      }
    });
  });
}

describe('layering of src/ (biome noRestrictedImports)', () => {
  const cases = [...violations, ...legitimate];
  let root = '';
  let report: Report = { summary: { changed: 0, unchanged: 0 }, diagnostics: [] };
  const diagnosticsOf = (file: string) => report.diagnostics.filter((d) => d.location.path === file);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'allot-layers-'));
    // The repository's own configuration; the throwaway project is not a git checkout, so no VCS integration.
    const config = JSON.parse(await readFile(join(REPO, 'biome.json'), 'utf8')) as Record<string, unknown>;
    delete config.$schema;
    config.vcs = { enabled: false };
    await writeFile(join(root, 'biome.json'), JSON.stringify(config));
    for (const c of cases) {
      await mkdir(dirname(join(root, c.file)), { recursive: true });
      await writeFile(join(root, c.file), c.source);
    }
    report = await lint(root);
  });

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('lints every planted file, each in a file of its own', () => {
    expect(new Set(cases.map((c) => c.file)).size).toBe(cases.length);
    // A file biome skipped would pass the "stays quiet" cases for nothing.
    expect(report.summary.changed + report.summary.unchanged).toBe(cases.length);
    expect(report.diagnostics.every((d) => d.category === RULE)).toBe(true);
  });

  it.each(violations)('fires when $name ($file)', ({ file, fires }) => {
    const messages = diagnosticsOf(file).map((d) => d.message);
    expect(
      messages.some((m) => m.startsWith(fires ?? '')),
      `expected "${fires}…" among:\n${messages.join('\n')}`,
    ).toBe(true);
  });

  it.each(legitimate)('stays quiet when $name ($file)', ({ file }) => {
    expect(diagnosticsOf(file)).toEqual([]);
  });
});
