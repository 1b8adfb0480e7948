// The hand-written fast paths accept only what the zod schemas accept, and parse it the same way.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plainCheck, plainReport } from '../../src/client/fast-input.js';
import { entitlementCheckSchema, reportUsageSchema } from '../../src/client/input-schemas.js';

const FC_SEED = Number(process.env.FC_SEED ?? 20_261_207);

/** Values near every bound the schemas draw: ids, blank and control strings, huge and odd numbers. */
const anyValue = fc.oneof(
  fc.constantFrom('acme', 'api-calls', '', ' ', 'a\u0000b', 'x'.repeat(255), 'x'.repeat(256), null, undefined),
  fc.string({ maxLength: 4 }),
  fc.constantFrom(0, 1, -1, 1.5, 1e15, -1e15, 1e15 + 1, Number.NaN, Number.POSITIVE_INFINITY),
  fc.double(),
  fc.boolean(),
  fc.constant({}),
  fc.constant([]),
);

/** Mostly valid fields, each sometimes replaced by any value or left out; sometimes an unknown key. */
function recordOf(valid: Record<string, fc.Arbitrary<unknown>>) {
  const fields = Object.fromEntries(
    Object.entries(valid).map(([key, arbitrary]) => [
      key,
      fc.oneof({ weight: 4, arbitrary }, { weight: 1, arbitrary: anyValue }),
    ]),
  );
  return fc.record({ ...fields, unknown: anyValue }, { requiredKeys: [] });
}

const id = fc.constantFrom('acme', 'api-calls', 'site-1');
const amount = fc.oneof(fc.integer(), fc.double({ min: -1e15, max: 1e15, noNaN: true }));

describe('fast input paths agree with the schemas', () => {
  it('plainReport: whatever it accepts, zod accepts and parses to the same value', () => {
    const input = recordOf({
      customerId: id,
      featureId: id,
      value: amount,
      resourceId: fc.option(id),
      idempotencyKey: fc.string({ minLength: 1, maxLength: 8 }),
      createdAt: fc.integer({ min: 0 }),
    });
    let accepted = 0;
    fc.assert(
      fc.property(input, (input) => {
        const fast = plainReport(input);
        if (fast === undefined) return;
        accepted++;
        const parsed = reportUsageSchema.safeParse(input);
        expect(parsed.success).toBe(true);
        expect(fast).toEqual(parsed.data);
      }),
      { seed: FC_SEED, numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(10);
  });

  it('plainReport accepts the common report', () => {
    expect(plainReport({ customerId: 'acme', featureId: 'api-calls', value: 3 })).toEqual({
      customerId: 'acme',
      featureId: 'api-calls',
      value: 3,
      updateBehavior: 'DELTA',
    });
  });

  it('plainCheck: whatever it accepts, zod accepts unchanged', () => {
    const input = recordOf({
      customerId: id,
      featureId: id,
      resourceId: fc.option(id),
      options: fc.record({ requestedUsage: amount, requestedValues: fc.array(id) }, { requiredKeys: [] }),
    });
    let accepted = 0;
    fc.assert(
      fc.property(input, (input) => {
        if (!plainCheck(input)) return;
        accepted++;
        const parsed = entitlementCheckSchema.safeParse(input);
        expect(parsed.success).toBe(true);
      }),
      { seed: FC_SEED, numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(10);
  });
});
