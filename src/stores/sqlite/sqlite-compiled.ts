// The shape of SQL compiled ahead: what sqlite-sql.ts writes and the store prepares.

/**
 * Lists the parameters a builder reads, a list parameter by its length; optional ones may be left
 * out to prepare a narrower variant.
 */
export type ParamNames<P> = {
  readonly [K in keyof P]: NonNullable<P[K]> extends readonly unknown[] ? number : true;
};

/**
 * Where a `?` of a compiled statement takes its value: a named parameter, one element of a list
 * parameter, or a literal the builder bound itself (a constant such as a grant type).
 */
export type Slot = string | readonly [name: string, index: number] | { readonly value: unknown };

/** A statement compiled ahead: its text, and what each of its `?` takes. */
export interface CompiledStatement {
  readonly sql: string;
  readonly slots: readonly Slot[];
}

/** A schema version compiled ahead: the statements that bring the previous version to it. */
export interface CompiledMigration {
  readonly version: number;
  readonly statements: readonly string[];
}
