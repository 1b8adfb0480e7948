// Quoting for the few statements the store writes as text: identifiers it validated itself, and
// values inlined where one round trip runs several statements (the simple protocol takes no
// parameters); and array parameters, sent as the literal text pg would build for them.

/** `"name"`, for a name `postgresStore` has validated (letters, digits and underscores). */
export const quoteIdent = (name: string) => `"${name}"`;

/**
 * A string literal of any text: `E'...'` with backslashes and quotes doubled, which reads the
 * same whatever `standard_conforming_strings` says.
 */
export function quoteLiteral(value: string): string {
  return `E'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

const NEEDS_ESCAPE = /["\\]/;
const ESCAPED = /["\\]/g;

/**
 * An array parameter (`$n::type[]`) as PostgreSQL's array literal: every string double-quoted with
 * `"` and `\` escaped, numbers as JavaScript writes them, null as NULL. The text pg builds for a
 * JavaScript array, at a third of its cost for strings and numbers (pg escapes every element,
 * numbers too), which was a fifth of the CPU of a 1,000-event write. A number equal to the one
 * before it (a batch's periods, buckets, instants) reuses its text.
 */
export function arrayLiteral(values: readonly (string | number | null)[]): string {
  let out = '{';
  let lastNumber: number | undefined;
  let lastText = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    const v = values[i] as string | number | null;
    if (v === null) out += 'NULL';
    else if (typeof v === 'number') {
      if (v !== lastNumber) {
        lastNumber = v;
        lastText = String(v);
      }
      out += lastText;
    } else out += NEEDS_ESCAPE.test(v) ? `"${v.replace(ESCAPED, '\\$&')}"` : `"${v}"`;
  }
  return `${out}}`;
}
