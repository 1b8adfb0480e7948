// Arbitraries shared by the two model-based tests of recurring grants and pool resets (the pure
// core's and the client's), so both draw their rules and recurrences from one definition.
import fc from 'fast-check';
import type { ModelInterval, ModelOverage, ModelRecurrence, ModelRule } from './credit-reset-model.js';

const HOUR = 3_600_000;

/** A recurrence every 1-3 hours, days, weeks or months, anchored within 40 hours of `from`. */
export const recurrenceArb = (from: number): fc.Arbitrary<ModelRecurrence> =>
  fc.record({
    interval: fc.constantFrom<ModelInterval>('HOUR', 'DAY', 'DAY', 'WEEK', 'MONTH'),
    intervalCount: fc.integer({ min: 1, max: 3 }),
    anchor: fc.integer({ min: -40, max: 40 }).map((h) => from + h * HOUR),
  });

/** A rollover rule with any of its parts (a minimum never above the maximum), or none. */
export const ruleArb: fc.Arbitrary<ModelRule | undefined> = fc.option(
  fc
    .record(
      {
        maxAmount: fc.integer({ min: 0, max: 60 }).map(String),
        minAmount: fc.integer({ min: 0, max: 15 }).map(String),
        percentage: fc.constantFrom('0', '12.5', '50', '100'),
      },
      { requiredKeys: [] },
    )
    .map((r) =>
      r.maxAmount !== undefined && r.minAmount !== undefined && Number(r.minAmount) > Number(r.maxAmount)
        ? { ...r, minAmount: r.maxAmount }
        : r,
    ),
  { nil: undefined },
);

/** A reset's own rule, its overage choice (or the schedule's) and whether it moves the anchor. */
export const resetArb = fc.tuple(
  ruleArb,
  fc.constantFrom<ModelOverage | undefined>(undefined, 'CARRY', 'FORGIVE'),
  fc.boolean(),
);

/** A pool's reset schedule recurring as `recurrence` draws, or none (clearing it). */
export const scheduleArb = (recurrence: fc.Arbitrary<ModelRecurrence>) =>
  fc.option(
    fc.record({
      recurrence,
      rollover: ruleArb.map((r) => r ?? null),
      overage: fc.constantFrom<ModelOverage>('CARRY', 'FORGIVE'),
    }),
    { nil: null, freq: 4 },
  );

/** A clock step of minutes, hours or days (the days off the hour), and a flag the command reads. */
export const advanceArb = fc.tuple(
  fc.oneof(
    fc.integer({ min: 1, max: 59 }).map((m) => m * 60_000),
    fc.integer({ min: 1, max: 72 }).map((h) => h * HOUR),
    fc.integer({ min: 3, max: 40 }).map((d) => d * 24 * HOUR + 1234),
  ),
  fc.boolean(),
);
