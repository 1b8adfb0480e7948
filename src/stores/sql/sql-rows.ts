// What the SQL query modules share: the kysely type their builders take, and the helpers their row
// mappers use. Builders only pass their parameters through: the SQLite store compiles them once with
// marker values, so any conversion (null resource ids, JSON, booleans) belongs in a module's row
// mappers (`*ToRow`, `rowTo*`), never inside a builder.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** The kysely instance every query builder takes. */
export type Db = Kysely<Database>;

/**
 * A record under construction. A mapper builds the fields every row has in one literal and sets
 * the optional ones after: spreads in the literal leave every cached record a few empty slots.
 */
export type Building<T> = { -readonly [K in keyof T]: T[K] };

// A hundred thousand cached customers each hold their records, so the mappers avoid copies that
// carry nothing: empty lists and maps are one shared frozen value, and the few distinct plan,
// product and enum strings are one string each instead of one per row.
const EMPTY_LIST: readonly never[] = Object.freeze([]);
const EMPTY_MAP: Readonly<Record<string, never>> = Object.freeze({});

/** JSON text as data; `[]` and `{}` as shared frozen values (records are immutable once read). */
export function parseJson<T>(text: string): T {
  if (text === '[]') return EMPTY_LIST as T;
  if (text === '{}') return EMPTY_MAP as T;
  return JSON.parse(text) as T;
}

const interned = new Map<string, string>();
/** One instance of a low-cardinality string (ids of plans and products, enum values); bounded. */
export function intern(value: string): string {
  const known = interned.get(value);
  if (known !== undefined) return known;
  if (interned.size < 10_000) interned.set(value, value);
  return value;
}

/**
 * A customer's or subscription's `metadata` column: JSON of its metadata, or of `[metadata,
 * billing]` when the record has billing details. Those came after the first schema and share this
 * column so that no migration was needed; an object is never an array, so rows written before
 * read as they are.
 */
export function metadataColumn(metadata: Readonly<Record<string, string>>, billing: object | undefined): string {
  return JSON.stringify(billing === undefined ? metadata : [metadata, billing]);
}

/** The metadata and billing details a `metadata` column holds (see `metadataColumn`). */
export function parseMetadataColumn<B>(text: string): { metadata: Readonly<Record<string, string>>; billing?: B } {
  if (!text.startsWith('[')) return { metadata: parseJson(text) };
  const [metadata, billing] = JSON.parse(text) as [Record<string, string>, B];
  return { metadata, billing };
}
