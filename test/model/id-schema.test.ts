import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { id, isId } from '../../src/model/id-schema.js';

const FC_SEED = Number(process.env.FC_SEED ?? 20_261_207);

/** Strings near every rule: blanks of every kind of space, control characters, lengths around 255. */
const candidate = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({
    unit: fc.constantFrom(
      ' ',
      '\t',
      '\u00a0',
      '\u2028',
      '\u3000',
      '\ufeff',
      'a',
      '\u0000',
      '\u007f',
      '\u0085',
      '\u009f',
      '\u00a0',
      '\u1680',
    ),
    maxLength: 6,
  }),
  fc.integer({ min: 250, max: 260 }).map((n) => 'x'.repeat(n)),
  fc.constantFrom('', ' ', 'acme', 'api-calls', ' a', '\u00a0x', 'é', '日本', 'a\u0085b', '\ud83d\ude00'),
);

describe('isId', () => {
  it('agrees with the id schema on every string', () => {
    fc.assert(
      fc.property(candidate, (value) => {
        expect(isId(value)).toBe(id.safeParse(value).success);
      }),
      { seed: FC_SEED, numRuns: 5000 },
    );
  });

  it('refuses what is not a string', () => {
    for (const value of [undefined, null, 1, {}, [], true]) expect(isId(value)).toBe(false);
  });
});
