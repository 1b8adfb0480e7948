// The reference pages' code examples, read from the verbatim copies beside this file.
import { readFileSync } from 'node:fs';

/** One code example of a reference page. */
export interface Example {
  /** `<page>-<n>`, e.g. `node-3`: the n-th example of the page's copy. */
  readonly id: string;
  /** The heading of the example in the copy: the section, the file name and the line in the reference page. */
  readonly title: string;
  readonly code: string;
  /** Set when the copy says the example is the same as one of another page (it is run there). */
  readonly duplicate: boolean;
}

/** The copies of the reference pages, and the prefix of their examples' ids. */
export const PAGES = {
  node: 'stigg-node-sdk.md',
  credits: 'stigg-usage-billing-credits.md',
  credits2: 'stigg-usage-billing-credits-v2.md',
} as const;

/** The examples of one copy, in order: each `## n. title` heading and the fenced block under it. */
function examplesOf(prefix: string, file: string): Example[] {
  const text = readFileSync(new URL(file, import.meta.url), 'utf8');
  const pattern = /^## (\d+)\. (.+)\n\n```\w*\n([\s\S]*?)\n```$/gm;
  return [...text.matchAll(pattern)].map(([, n, title = '', code = '']) => ({
    id: `${prefix}-${n}`,
    title,
    code,
    duplicate: title.includes(', same as '),
  }));
}

export const EXAMPLES: readonly Example[] = Object.entries(PAGES).flatMap(([prefix, file]) => examplesOf(prefix, file));
