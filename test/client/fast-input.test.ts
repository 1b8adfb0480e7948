// The hand-written fast paths accept only what the zod schemas accept, and parse it the same way.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plainCheck, plainCheckAndReport, plainEvents, plainReport } from '../../src/client/fast-input.js';
import {
  checkAndReportUsageSchema,
  entitlementCheckSchema,
  reportEventsSchema,
  reportUsageSchema,
} from '../../src/client/input-schemas.js';

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

/**
 * Runs `fast` on `input`: whatever it accepts (any result but undefined or false), `schema`
 * accepts too and, unless the result is just `true`, parses to it (`as` shapes zod's output);
 * `also` checks more of an accepted result. Enough inputs must be accepted for this to mean much.
 */
function assertAgrees(
  input: fc.Arbitrary<unknown>,
  fast: (value: unknown) => unknown,
  schema: { safeParse(value: unknown): { success: boolean; data?: unknown } },
  {
    as = (data: unknown) => data,
    also,
  }: { as?: (data: unknown) => unknown; also?: (result: unknown, value: unknown) => void } = {},
) {
  let accepted = 0;
  fc.assert(
    fc.property(input, (value) => {
      const result = fast(value);
      if (result === undefined || result === false) return;
      accepted++;
      const parsed = schema.safeParse(value);
      expect(parsed.success).toBe(true);
      if (result !== true) expect(result).toEqual(as(parsed.data));
      also?.(result, value);
    }),
    { seed: FC_SEED, numRuns: 3000 },
  );
  expect(accepted).toBeGreaterThan(10);
}

/** A usage report's fields, as `reportUsage` and `checkAndReportUsage` take them. */
const reportFields = {
  customerId: id,
  featureId: id,
  value: amount,
  resourceId: fc.option(id),
  idempotencyKey: fc.string({ minLength: 1, maxLength: 8 }),
};

describe('fast input paths agree with the schemas', () => {
  it('plainReport: whatever it accepts, zod accepts and parses to the same value', () => {
    const input = recordOf({ ...reportFields, createdAt: fc.integer({ min: 0 }) });
    assertAgrees(input, plainReport, reportUsageSchema);
  });

  it('plainCheckAndReport: whatever it accepts, zod accepts and parses to the same value', () => {
    const input = recordOf(reportFields);
    let negative = 0;
    const counted = (value: unknown) => {
      if ((plainReport(value)?.value ?? 0) < 0) negative++;
      return plainCheckAndReport(value);
    };
    assertAgrees(input, counted, checkAndReportUsageSchema, {
      as: (data) => ({ ...(data as object), updateBehavior: 'DELTA' }),
    });
    // Negative values, which a report takes, were drawn and refused.
    expect(negative).toBeGreaterThan(10);
  });

  it('plainReport accepts the common report', () => {
    expect(plainReport({ customerId: 'acme', featureId: 'api-calls', value: 3 })).toEqual({
      customerId: 'acme',
      featureId: 'api-calls',
      value: 3,
      updateBehavior: 'DELTA',
    });
  });

  it('plainEvents: whatever it accepts, zod accepts and parses to the same value, a copy of the dimensions', () => {
    const dimensions = fc.oneof(
      fc.dictionary(
        fc.constantFrom('tokens', 'model', '', '__proto__', 'constructor'),
        fc.oneof(fc.constantFrom(120, 'small', true, Number.NaN, Number.POSITIVE_INFINITY, null, {}), anyValue),
        { maxKeys: 3 },
      ),
      anyValue,
    );
    // Mostly events of valid fields, so that many are accepted; any field may still be off or left out.
    const event = fc.oneof(
      {
        weight: 3,
        arbitrary: fc.record(
          {
            customerId: id,
            eventName: fc.constantFrom('llm.call', 'x'.repeat(255)),
            idempotencyKey: fc.string({ minLength: 1, maxLength: 8 }),
            resourceId: fc.option(id),
            dimensions,
          },
          { requiredKeys: ['customerId', 'eventName', 'idempotencyKey'] },
        ),
      },
      {
        weight: 1,
        arbitrary: recordOf({
          customerId: id,
          eventName: fc.constantFrom('llm.call', '', 'x'.repeat(256)),
          idempotencyKey: fc.string({ minLength: 1, maxLength: 8 }),
          resourceId: fc.option(id),
          dimensions,
          timestamp: fc.integer({ min: 0 }),
        }),
      },
    );
    const input = fc.oneof(event, fc.array(event, { maxLength: 3 }), anyValue);
    assertAgrees(input, plainEvents, reportEventsSchema, {
      also: (fast, value) => {
        const given = [value].flat() as { dimensions?: object }[];
        ([fast].flat() as { dimensions?: object }[]).forEach((e, i) => {
          if (e.dimensions !== undefined) expect(e.dimensions).not.toBe(given[i]?.dimensions);
        });
      },
    });
  });

  it('plainEvents accepts the common batch, and leaves a timestamp to zod', () => {
    const e = { customerId: 'acme', eventName: 'llm.call', idempotencyKey: 'k1', dimensions: { tokens: 120 } };
    expect(plainEvents([e, e])).toEqual([e, e]);
    expect(plainEvents([e, { ...e, timestamp: 0 }])).toBeUndefined();
    expect(plainEvents([])).toBeUndefined();
  });

  it('plainCheck: whatever it accepts, zod accepts unchanged', () => {
    const input = recordOf({
      customerId: id,
      featureId: id,
      resourceId: fc.option(id),
      options: fc.record({ requestedUsage: amount, requestedValues: fc.array(id) }, { requiredKeys: [] }),
    });
    assertAgrees(input, plainCheck, entitlementCheckSchema);
  });
});
