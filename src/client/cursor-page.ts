// The reference's cursor paging over a list held in memory: `first` items after `after`, `last`
// items before `before`, both bounds allowed (first applies before last, as in Relay).
import { AllotError } from '../errors.js';

/** Cursor paging as the reference takes it. */
export interface CursorPaging {
  readonly first?: number | undefined;
  readonly after?: string | undefined;
  readonly last?: number | undefined;
  readonly before?: string | undefined;
}

/** Where a page of a cursor-paged list lies: pass `endCursor` as `after` for the next, `startCursor` as `before` for the previous. */
export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

/**
 * The page of `items` (in list order) that `paging` asks for. A cursor that is no item's throws
 * INVALID_INPUT.
 *
 * @example cursorPage(['a', 'b', 'c', 'd'], (x) => x, { last: 2, before: 'd' }).page // ['b', 'c']
 */
export function cursorPage<T>(
  items: readonly T[],
  cursorOf: (item: T) => string,
  paging: CursorPaging,
): { page: T[]; pageInfo: PageInfo } {
  const indexOf = (cursor: string, name: string) => {
    const i = items.findIndex((item) => cursorOf(item) === cursor);
    if (i < 0)
      throw new AllotError('INVALID_INPUT', `paging.${name} "${cursor}" is not an item of this list`, {
        details: { [name]: cursor },
      });
    return i;
  };
  const from = paging.after === undefined ? 0 : indexOf(paging.after, 'after') + 1;
  const to = Math.max(from, paging.before === undefined ? items.length : indexOf(paging.before, 'before'));
  const end = paging.first === undefined ? to : Math.min(to, from + paging.first);
  const start = paging.last === undefined ? from : Math.max(from, end - paging.last);
  const page = items.slice(start, end);
  return { page, pageInfo: pageInfo(page.map(cursorOf), end < items.length, start > 0) };
}

/** The page info of a page whose items have these cursors. */
export function pageInfo(cursors: readonly string[], hasNextPage: boolean, hasPreviousPage: boolean): PageInfo {
  return { hasNextPage, hasPreviousPage, startCursor: cursors[0] ?? null, endCursor: cursors.at(-1) ?? null };
}
