// A catalog from a JSON or YAML file, validated as `Allot.initialize` validates one, with every
// problem located at file:line:column. The file system and the YAML parser load on the first call,
// so importing allot loads neither.
import type { Document, Node as YamlNode } from 'yaml';
import { compileCatalog } from '../catalog/catalog.js';
import type { CatalogIssue } from '../catalog/catalog-issues.js';
import type { CatalogInput } from '../catalog/catalog-schema.js';
import { AllotError } from '../errors.js';

/** A problem of a catalog file, where it is: `location` is `file:line:column` (both 1-based). */
export interface CatalogFileIssue extends CatalogIssue {
  file: string;
  line: number;
  column: number;
  location: string;
}

/**
 * Reads a catalog from a `.json` or `.yaml`/`.yml` file and validates it as `Allot.initialize`
 * does. Throws `CATALOG_NOT_FOUND` when the file cannot be read, and `INVALID_CATALOG` when it
 * does not parse or validate, with every issue in `details` located at `file:line:column`.
 *
 * @example
 * const allot = Allot.initialize({ catalog: await loadCatalog('catalog.yaml'), store });
 */
export async function loadCatalog(path: string): Promise<CatalogInput> {
  if (typeof path !== 'string' || path.length === 0)
    throw new AllotError('INVALID_INPUT', 'loadCatalog: path must be a non-empty string', { details: { path } });
  const text = await readCatalogFile(path);
  const yaml = await import('yaml');
  const lineCounter = new yaml.LineCounter();
  // JSON is YAML: one parser gives positions for both. The JSON schema keeps a .json file to JSON's scalars.
  const doc = yaml.parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    schema: /\.json$/i.test(path) ? 'json' : 'core',
  });
  const at = (offset: number) => lineCounter.linePos(offset);
  if (doc.errors.length > 0)
    throw invalidFile(
      path,
      doc.errors.map((e) => ({ path: [], message: e.message, ...at(e.pos[0]) })),
    );
  const input = doc.toJS() as CatalogInput;
  try {
    compileCatalog(input);
  } catch (error) {
    if (!(AllotError.is(error) && error.code === 'INVALID_CATALOG')) throw error;
    const issues = error.details as CatalogIssue[];
    throw invalidFile(
      path,
      issues.map((issue) => ({ ...issue, ...at(offsetOf(yaml, doc, issue)) })),
    );
  }
  return input;
}

async function readCatalogFile(path: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new AllotError('CATALOG_NOT_FOUND', `cannot read the catalog file ${path} (${code ?? String(cause)})`, {
      details: { path, code },
      cause,
    });
  }
}

function invalidFile(file: string, issues: readonly (CatalogIssue & { line: number; col: number })[]): AllotError {
  const located: CatalogFileIssue[] = issues.map(({ line, col, ...issue }) => ({
    ...issue,
    file,
    line,
    column: col,
    location: `${file}:${line}:${col}`,
  }));
  const lines = located.map((i) => `${i.location} ${i.path.length > 0 ? `${i.path.join('.')}: ` : ''}${i.message}`);
  return new AllotError('INVALID_CATALOG', `invalid catalog file ${file}:\n  ${lines.join('\n  ')}`, {
    details: located,
  });
}

type Yaml = typeof import('yaml');

/**
 * Where an issue's path leads in the document: the value it names, the first unknown key of an
 * unknown-keys issue, or, when the path goes past what the file holds (a missing field), the
 * deepest node it reaches.
 */
function offsetOf(yaml: Yaml, doc: Document, issue: CatalogIssue): number {
  let node: unknown = doc.contents;
  for (const key of [...issue.path, ...(issue.keys ?? []).slice(0, 1)]) {
    if (yaml.isAlias(node)) node = node.resolve(doc);
    const next = childOf(yaml, node, key);
    if (next === undefined) break;
    // An unknown key points at the key itself; any other step at the value (or its key when the value is empty).
    node = key === issue.keys?.[0] || next.value === null ? next.key : next.value;
  }
  return (node as YamlNode | null)?.range?.[0] ?? 0;
}

function childOf(yaml: Yaml, node: unknown, key: string | number): { key: unknown; value: unknown } | undefined {
  if (yaml.isMap(node)) {
    const pair = node.items.find((p) => yaml.isScalar(p.key) && String(p.key.value) === String(key));
    return pair && { key: pair.key, value: pair.value };
  }
  if (yaml.isSeq(node) && typeof key === 'number') {
    const item = node.items[key];
    return item === undefined ? undefined : { key: item, value: item };
  }
  return undefined;
}
