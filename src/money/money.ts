import { Decimal as DecimalJs } from 'decimal.js';
import { AllotError } from '../errors.js';

/**
 * allot's own decimal.js constructor. A private clone, so a caller's global `Decimal.set(...)`
 * can never change how allot computes money; 34 significant digits (IEEE decimal128) keep every
 * intermediate of a division exact far beyond the 3 minor digits any currency needs.
 *
 * @example new Decimal('10').div(3).toString() // '3.333333333333333333333333333333333'
 */
export const Decimal = DecimalJs.clone({
  precision: 34,
  rounding: DecimalJs.ROUND_HALF_UP,
  toExpNeg: -40,
  toExpPos: 40,
});
export type Decimal = DecimalJs;
/** Anything a Decimal can be made from: a decimal string, a number or a Decimal. */
export type DecimalValue = DecimalJs.Value;

/**
 * Rounds `amount` to `decimalPlaces`. Rounding modes are named functions passed explicitly, so
 * every rounding in allot says which one it uses.
 */
export type RoundingMode = (amount: Decimal, decimalPlaces: number) => Decimal;

/**
 * Half away from zero: 0.125 → 0.13 and -0.125 → -0.13, so a credit rounds exactly like the debit
 * it mirrors. allot's default.
 *
 * @example halfUp(new Decimal('2.5'), 0) // 3
 */
export const halfUp: RoundingMode = (amount, dp) => new Decimal(amount).toDecimalPlaces(dp, Decimal.ROUND_HALF_UP);

/**
 * Half to even (banker's rounding): 0.125 → 0.12, 0.135 → 0.14; for callers whose ledger demands it.
 *
 * @example halfEven(new Decimal('2.5'), 0) // 2
 */
export const halfEven: RoundingMode = (amount, dp) => new Decimal(amount).toDecimalPlaces(dp, Decimal.ROUND_HALF_EVEN);

/**
 * A finite Decimal from caller input; anything else (NaN, Infinity, "abc") throws INVALID_INPUT
 * naming `what`.
 *
 * @example decimalOf('12.50', 'amount') // Decimal(12.5)
 */
export function decimalOf(value: DecimalValue, what: string): Decimal {
  let d: Decimal | undefined;
  try {
    d = new Decimal(value);
  } catch {
    // decimal.js throws a plain Error on malformed strings; reported below as allot's own.
  }
  if (!d?.isFinite())
    throw new AllotError('INVALID_INPUT', `${what} must be a finite decimal, got ${String(value)}`, {
      details: { [what]: String(value) },
    });
  return d;
}

/**
 * Toward zero (truncation): 0.129 → 0.12. For caps, where rounding must never exceed the limit.
 *
 * @example down(new Decimal('2.9'), 0) // 2
 */
export const down: RoundingMode = (amount, dp) => new Decimal(amount).toDecimalPlaces(dp, Decimal.ROUND_DOWN);

// ISO 4217 exponents that differ from the common 2; every other code has 2 minor digits.
const MINOR_UNITS: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

function currencyOf(currency: string): string {
  if (!/^[A-Za-z]{3}$/.test(currency))
    throw new AllotError('INVALID_INPUT', `"${currency}" is not an ISO 4217 currency code`, { details: { currency } });
  return currency.toUpperCase();
}

/**
 * The number of minor-unit digits of an ISO 4217 currency: 2 for USD or EUR, 0 for JPY, 3 for KWD.
 *
 * @example minorUnits('JPY') // 0
 */
export function minorUnits(currency: string): number {
  return MINOR_UNITS[currencyOf(currency)] ?? 2;
}

/** An amount in whole currency units with its currency; the amount is a Decimal, rounded or not. */
export interface Money {
  readonly amount: Decimal;
  readonly currency: string;
}

/** An amount as results carry it: `{amount, currency}` in whole currency units, rounded. */
export interface Amount {
  readonly amount: number;
  readonly currency: string;
}

/**
 * Money from a decimal value and a currency code (upper-cased).
 *
 * @example money('12.50', 'usd') // { amount: Decimal(12.5), currency: 'USD' }
 */
export function money(amount: DecimalValue, currency: string): Money {
  return { amount: decimalOf(amount, 'amount'), currency: currencyOf(currency) };
}

/**
 * `amount` rounded to the minor unit of `currency` with `mode` (half-up unless told).
 *
 * @example roundMoney('1.005', 'USD') // Decimal(1.01)
 */
export function roundMoney(amount: DecimalValue, currency: string, mode: RoundingMode = halfUp): Decimal {
  return mode(new Decimal(amount), minorUnits(currency));
}

function sameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency)
    throw new AllotError('INVALID_INPUT', `cannot combine ${a.currency} with ${b.currency}`, {
      details: { currencies: [a.currency, b.currency] },
    });
}

/**
 * The sum of two amounts of the same currency; different currencies throw INVALID_INPUT.
 *
 * @example addMoney(money(1, 'USD'), money(2, 'USD')) // 3 USD
 */
export function addMoney(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return { amount: a.amount.plus(b.amount), currency: a.currency };
}

/**
 * `a - b` for amounts of the same currency; different currencies throw INVALID_INPUT.
 *
 * @example subtractMoney(money(3, 'USD'), money(1, 'USD')) // 2 USD
 */
export function subtractMoney(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return { amount: a.amount.minus(b.amount), currency: a.currency };
}

/**
 * The sum of amounts, all in `currency` (zero when empty); another currency throws INVALID_INPUT.
 *
 * @example sumMoney([money(1, 'EUR'), money(2, 'EUR')], 'EUR') // 3 EUR
 */
export function sumMoney(values: readonly Money[], currency: string): Money {
  return values.reduce(addMoney, money(0, currency));
}

/**
 * The result form `{amount: number, currency}`, rounded once here to the currency's minor unit.
 * The number is parsed from the rounded decimal string, so it is the closest double to the exact
 * amount (12.3 stays 12.3, never 12.299999).
 *
 * @example toAmount(money('9.999', 'USD')) // { amount: 10, currency: 'USD' }
 */
export function toAmount(value: Money, mode: RoundingMode = halfUp): Amount {
  const digits = minorUnits(value.currency);
  // `+ 0` turns a rounded -0 into 0, so a zero credit prints and compares as 0.
  return { amount: Number(mode(value.amount, digits).toFixed(digits)) + 0, currency: value.currency };
}

/**
 * A rate (a price per unit, e.g. 0.0015 USD per call) as `{amount, currency}` at its catalog
 * precision: a rate is not an amount charged, so rounding it to cents would misstate it.
 *
 * @example toRate(money('0.0015', 'USD')) // { amount: 0.0015, currency: 'USD' }
 */
export function toRate(value: Money): Amount {
  return { amount: value.amount.toNumber() + 0, currency: value.currency };
}

/**
 * Splits `total` into one share per weight, in proportion to the weights, each a whole number of
 * minor units, adding up to `total` exactly (largest remainder; ties to the earlier share). `total`
 * is rounded half-up to the minor unit first. Negative weights count as 0; with no positive weight
 * the shares follow the weights' sizes, and with none at all they are equal. A negative total is
 * split as its opposite and negated.
 *
 * @example allocateMoney(money('0.10', 'USD'), [new Decimal(1), new Decimal(1), new Decimal(1)])
 *   // 0.04, 0.03, 0.03 USD
 */
export function allocateMoney(total: Money, weights: readonly Decimal[]): Money[] {
  const { currency } = total;
  if (weights.length === 0) return [];
  const unit = new Decimal(10).pow(-minorUnits(currency));
  const rounded = roundMoney(total.amount, currency);
  const units = rounded.abs().div(unit);
  const positive = weights.map((w) => Decimal.max(0, w));
  const sized = positive.some((w) => w.gt(0)) ? positive : weights.map((w) => w.abs());
  const used = sized.some((w) => w.gt(0)) ? sized : weights.map(() => new Decimal(1));
  const sum = used.reduce((a, w) => a.plus(w), new Decimal(0));
  const exact = used.map((w) => units.times(w).div(sum));
  const shares = exact.map((e) => e.floor());
  let left = units.minus(shares.reduce((a, s) => a.plus(s), new Decimal(0))).toNumber();
  const order = exact.map((e, i) => ({ i, rest: e.minus(e.floor()) })).sort((a, b) => b.rest.cmp(a.rest) || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    shares[i] = (shares[i] as Decimal).plus(1);
    left -= 1;
  }
  const sign = rounded.isNegative() ? -1 : 1;
  return shares.map((s) => ({ amount: s.times(unit).times(sign).plus(0), currency }));
}
