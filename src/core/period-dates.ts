// The dates a metered result shows are made once per usage window and shared by every result of
// that window: three fresh Dates were about 40% of a warm check's time. Shared dates must not
// change, so their setters throw; copies (`new Date(d)`, date-fns, structuredClone) are plain Dates.

const SETTERS = [
  'setDate',
  'setFullYear',
  'setHours',
  'setMilliseconds',
  'setMinutes',
  'setMonth',
  'setSeconds',
  'setTime',
  'setUTCDate',
  'setUTCFullYear',
  'setUTCHours',
  'setUTCMilliseconds',
  'setUTCMinutes',
  'setUTCMonth',
  'setUTCSeconds',
  'setYear',
] as const;

/** A Date whose setters throw: it is shared between results. Its `constructor` is `Date`, so copies are plain Dates. */
export class ReadOnlyDate extends Date {}

function readOnly(this: Date): never {
  throw new TypeError(
    `allot: this Date is shared by entitlement results and read-only; copy it first (new Date(d)) to change it (${this.toISOString()})`,
  );
}

for (const setter of SETTERS) Object.defineProperty(ReadOnlyDate.prototype, setter, { value: readOnly });
Object.defineProperty(ReadOnlyDate.prototype, 'constructor', { value: Date });
// date-fns builds its results through this hook when an argument has it.
Object.defineProperty(ReadOnlyDate.prototype, Symbol.for('constructDateFrom'), {
  value: (value: number | string | Date) => new Date(value),
});

/** A usage period's bounds as result dates. */
export interface PeriodDates {
  readonly anchor: Date;
  readonly start: Date;
  readonly end: Date;
}

/** The bounds as dates; an anchor that is the start (the first period) is the same Date. */
export function periodDates(anchor: number, start: number, end: number): PeriodDates {
  const startDate = new ReadOnlyDate(start);
  return {
    anchor: anchor === start ? startDate : new ReadOnlyDate(anchor),
    start: startDate,
    end: new ReadOnlyDate(end),
  };
}
