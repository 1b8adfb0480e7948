// Quoting for the few statements the store writes as text: identifiers it validated itself, and
// values inlined where one round trip runs several statements (the simple protocol takes no parameters).

/** `"name"`, for a name `postgresStore` has validated (letters, digits and underscores). */
export const quoteIdent = (name: string) => `"${name}"`;

/**
 * A string literal of any text: `E'...'` with backslashes and quotes doubled, which reads the
 * same whatever `standard_conforming_strings` says.
 */
export function quoteLiteral(value: string): string {
  return `E'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}
