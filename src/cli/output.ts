// How the command line shows results: aligned tables and `key  value` lists for a person, JSON
// (dates as ISO strings) for scripts.

/** A cell as shown: dates in ISO 8601 (UTC), nothing as an empty cell. */
export function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Rows under a header, each column as wide as its widest cell; `empty` when there are none. */
export function table(header: readonly string[], rows: readonly (readonly unknown[])[], empty = '(none)'): string {
  if (rows.length === 0) return `${empty}\n`;
  const cells = rows.map((row) => row.map(cell));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]?.length ?? 0)));
  const line = (row: readonly string[]) =>
    row
      .map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...cells.map(line)].join('\n')}\n`;
}

/** `key  value` lines, keys aligned; entries whose value is undefined are left out. */
export function fields(entries: readonly (readonly [string, unknown])[]): string {
  const shown = entries.filter(([, v]) => v !== undefined);
  const width = Math.max(0, ...shown.map(([k]) => k.length));
  return `${shown.map(([k, v]) => `${k.padEnd(width)}  ${cell(v)}`.trimEnd()).join('\n')}\n`;
}

/** JSON as scripts read it: indented, dates as ISO strings (what JSON.stringify makes of them). */
export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
