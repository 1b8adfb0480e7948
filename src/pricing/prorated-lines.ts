import { type Amount, Decimal, toAmount } from '../money/money.js';
import type { Proration } from '../proration/proration.js';
import type { Estimate, EstimateLine } from './estimate.js';

/** A line of a change's proration: which charge it is, its credit and its debit. */
export interface ProratedLine {
  readonly kind: 'PLAN' | 'ADDON';
  readonly id: string;
  readonly featureId: string | undefined;
  readonly credit: Amount;
  readonly debit: Amount;
}

const lineKey = (l: Estimate['lines'][number]) => `${l.kind}:${l.id}${l.featureId ? `:${l.featureId}` : ''}`;

/** Proration items matched line by line (plan, add-on, feature), so each line is rounded on its own. */
export function prorationItems(from: Estimate | undefined, to: Estimate) {
  const charges = new Map<string, { oldCharge: Decimal; newCharge: Decimal }>();
  const entry = (key: string) => {
    const found = charges.get(key) ?? { oldCharge: new Decimal(0), newCharge: new Decimal(0) };
    charges.set(key, found);
    return found;
  };
  for (const l of from?.lines ?? []) {
    const e = entry(lineKey(l));
    e.oldCharge = e.oldCharge.plus(l.amount.amount);
  }
  for (const l of to.lines) {
    const e = entry(lineKey(l));
    e.newCharge = e.newCharge.plus(l.amount.amount);
  }
  return [...charges]
    .filter(([, c]) => !c.oldCharge.isZero() || !c.newCharge.isZero())
    .map(([id, c]) => ({ id, ...c }));
}

/** A proration's lines, each named by the estimate line it prorates. */
export function proratedLines(proration: Proration, lines: readonly EstimateLine[]): ProratedLine[] {
  const named = new Map(lines.map((l) => [lineKey(l), l]));
  return proration.lines.map((p) => {
    const line = named.get(p.id ?? '');
    return {
      kind: line?.kind ?? 'PLAN',
      id: line?.id ?? p.id ?? '',
      featureId: line?.featureId,
      credit: toAmount(p.credit),
      debit: toAmount(p.debit),
    };
  });
}
