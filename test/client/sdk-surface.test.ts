// Allot has every public method of the reference SDK (the list the smoke imports of the built
// package check too), and each one documented in the façade.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Allot } from '../../src/index.js';

const { methods } = JSON.parse(readFileSync(new URL('../../scripts/sdk-methods.json', import.meta.url), 'utf8')) as {
  methods: string[];
};
const facade = readFileSync(new URL('../../src/client/allot.ts', import.meta.url), 'utf8');

describe('the reference SDK’s surface', () => {
  it('every method of the reference SDK is a method of Allot', () => {
    const proto = Allot.prototype as unknown as Record<string, unknown>;
    expect(methods.filter((m) => typeof proto[m] !== 'function')).toEqual([]);
  });

  it('each of them has a doc comment in the façade, and the deprecated ones say so', () => {
    const deprecated = ['createCustomer', 'createSubscription', 'transferSubscription', 'fetchUsageHistory'];
    for (const m of methods) {
      const documented = new RegExp(`\\*/\\s*(async\\s+)?${m}[<(]`).test(facade);
      expect(documented, m).toBe(true);
    }
    for (const m of deprecated)
      expect(new RegExp(`/\\*\\*\\s*@deprecated[^/]*\\*/\\s*(async\\s+)?${m}\\(`).test(facade), m).toBe(true);
  });
});
