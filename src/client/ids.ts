// Random ids of the records the engine creates.

/** `length` random hexadecimal characters (up to 32), from a UUID. */
export function randomHex(length: number): string {
  return globalThis.crypto.randomUUID().replaceAll('-', '').slice(0, length);
}

/** The id of a grant bought by automatic recharge. */
export const rechargeId = (): string => `recharge-${randomHex(16)}`;

/** The id of a consumption charged for usage of a credit-backed feature. */
export const usageChargeId = (): string => `usage-${randomHex(16)}`;
