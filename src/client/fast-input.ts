// Hand-written checks of the hot paths' inputs. Zod costs more than a warm check itself, so a
// check's input is first verified here; anything these reject goes through the zod schema, which
// then accepts it or throws INVALID_INPUT, so both paths agree on what is valid.

import type { CheckGovernanceInput } from '../governance/governance-schema.js';
import { isId } from '../model/id-schema.js';
import { CREDIT_LIMIT } from '../money/amount-schema.js';
import type { CreditEntitlementParams, EntitlementCheckParams } from './params.js';

/**
 * Options the fast path understands (`requestedValues` only where enum checks take it); anything
 * else (a fallback, an unknown key) goes through zod.
 */
function plainOptions(options: unknown, values: boolean): boolean {
  if (options === undefined) return true;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return false;
  for (const key in options) if (key !== 'requestedUsage' && (key !== 'requestedValues' || !values)) return false;
  const { requestedUsage: usage, requestedValues } = options as Record<string, unknown>;
  if (usage !== undefined && !(typeof usage === 'number' && usage >= 0 && usage < Number.POSITIVE_INFINITY))
    return false;
  if (requestedValues === undefined) return true;
  if (!Array.isArray(requestedValues)) return false;
  for (const v of requestedValues) if (typeof v !== 'string') return false;
  return true;
}

/**
 * The shape every check accepts (`{customerId, featureId | currencyId, resourceId?, options?}`),
 * verified without zod: a check is the hot path, and parsing with zod costs more than the check
 * itself. Anything this rejects is parsed by zod, which then either accepts it or throws
 * `INVALID_INPUT`, so both paths agree on what is valid.
 */
function plainRequest(p: unknown, subject: 'featureId' | 'currencyId'): boolean {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return false;
  // An unknown key (a typo such as `resourceID`) would silently widen the check: let zod reject it.
  for (const key in p)
    if (key !== 'customerId' && key !== subject && key !== 'resourceId' && key !== 'options') return false;
  const { customerId, resourceId, options } = p as Record<string, unknown>;
  return (
    isId(customerId) &&
    isId((p as Record<string, unknown>)[subject]) &&
    (resourceId == null || isId(resourceId)) &&
    plainOptions(options, subject === 'featureId')
  );
}

export function plainCheck(p: unknown): p is EntitlementCheckParams {
  return plainRequest(p, 'featureId');
}

export function plainCreditCheck(p: unknown): p is CreditEntitlementParams & { options?: { requestedUsage?: number } } {
  return plainRequest(p, 'currencyId');
}

/** A budget check with whole-number amounts (or none), the common case, in its parsed form. */
export function plainGovernanceCheck(
  p: unknown,
): p is CheckGovernanceInput & { entityIds: string[]; requestedAmount?: number } {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return false;
  for (const key in p) if (key !== 'entityIds' && key !== 'capabilityId' && key !== 'requestedAmount') return false;
  const { entityIds, capabilityId, requestedAmount } = p as Record<string, unknown>;
  if (!Array.isArray(entityIds) || entityIds.length === 0 || entityIds.length > 100) return false;
  for (const e of entityIds) if (!isId(e)) return false;
  return (
    isId(capabilityId) &&
    (requestedAmount === undefined ||
      (typeof requestedAmount === 'number' &&
        Number.isSafeInteger(requestedAmount) &&
        requestedAmount >= 0 &&
        requestedAmount < CREDIT_LIMIT))
  );
}

/** The largest magnitude a reported value may have (the schema's bound). */
const MAX_USAGE_VALUE = 1e15;

interface PlainReport {
  customerId: string;
  featureId: string;
  value: number;
  resourceId?: string | null;
  idempotencyKey?: string;
  updateBehavior: 'DELTA';
}

/**
 * A plain usage report (`{customerId, featureId, value, resourceId?, idempotencyKey?}`), the common
 * case, in its parsed form (a DELTA); undefined for anything else, which zod then parses.
 */
export function plainReport(p: unknown): PlainReport | undefined {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return undefined;
  for (const key in p)
    if (
      key !== 'customerId' &&
      key !== 'featureId' &&
      key !== 'value' &&
      key !== 'resourceId' &&
      key !== 'idempotencyKey'
    )
      return undefined;
  const { customerId, featureId, value, resourceId, idempotencyKey } = p as Record<string, unknown>;
  if (
    !isId(customerId) ||
    !isId(featureId) ||
    typeof value !== 'number' ||
    !(value >= -MAX_USAGE_VALUE && value <= MAX_USAGE_VALUE) ||
    !(resourceId == null || isId(resourceId)) ||
    !(
      idempotencyKey === undefined ||
      (typeof idempotencyKey === 'string' && idempotencyKey.length > 0 && idempotencyKey.length <= 255)
    )
  )
    return undefined;
  const report: PlainReport = { customerId, featureId, value, updateBehavior: 'DELTA' };
  if (resourceId !== undefined) report.resourceId = resourceId as string | null;
  if (idempotencyKey !== undefined) report.idempotencyKey = idempotencyKey;
  return report;
}

/**
 * `checkAndReportUsage`'s plain input, the same as a plain report's with a value of at least zero,
 * in its parsed form (a DELTA, which is what it records); undefined for anything else.
 */
export function plainCheckAndReport(p: unknown): PlainReport | undefined {
  const report = plainReport(p);
  return report !== undefined && report.value >= 0 ? report : undefined;
}

interface PlainEvent {
  customerId: string;
  eventName: string;
  idempotencyKey: string;
  resourceId?: string | null;
  dimensions?: Record<string, string | number | boolean>;
  /** Never set: an event with a timestamp goes through zod. */
  timestamp?: number;
}

/** Plain dimensions copied (the schema's output is a copy too, so the caller may reuse the object); undefined if not plain. */
function plainDimensions(d: unknown): Record<string, string | number | boolean> | undefined {
  if (typeof d !== 'object' || d === null || Object.getPrototypeOf(d) !== Object.prototype) return undefined;
  const copy: Record<string, string | number | boolean> = {};
  for (const key of Object.keys(d)) {
    const v = (d as Record<string, unknown>)[key];
    if (key === '__proto__' || !(typeof v === 'string' || typeof v === 'boolean' || Number.isFinite(v)))
      return undefined;
    copy[key] = v as string | number | boolean;
  }
  return copy;
}

/** One plain event (`{customerId, eventName, idempotencyKey, resourceId?, dimensions?}`) in its parsed form. */
function plainEvent(p: unknown): PlainEvent | undefined {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return undefined;
  for (const key in p)
    if (
      key !== 'customerId' &&
      key !== 'eventName' &&
      key !== 'idempotencyKey' &&
      key !== 'resourceId' &&
      key !== 'dimensions'
    )
      return undefined;
  const { customerId, eventName, idempotencyKey, resourceId, dimensions } = p as Record<string, unknown>;
  if (
    !isId(customerId) ||
    typeof eventName !== 'string' ||
    eventName.length === 0 ||
    eventName.length > 255 ||
    typeof idempotencyKey !== 'string' ||
    idempotencyKey.length === 0 ||
    idempotencyKey.length > 255 ||
    !(resourceId == null || isId(resourceId))
  )
    return undefined;
  const event: PlainEvent = { customerId, eventName, idempotencyKey };
  if (resourceId !== undefined) event.resourceId = resourceId as string | null;
  if (dimensions !== undefined) {
    const copy = plainDimensions(dimensions);
    if (copy === undefined) return undefined;
    event.dimensions = copy;
  }
  return event;
}

/**
 * `reportEvent`'s input when every event is plain (no `timestamp`, which zod parses), the common
 * case, in its parsed form; undefined for anything else, which zod then parses. A batch of 1,000
 * through zod costs more than writing it.
 */
export function plainEvents(p: unknown): PlainEvent | PlainEvent[] | undefined {
  if (!Array.isArray(p)) return plainEvent(p);
  if (p.length === 0 || p.length > 1000) return undefined;
  const events: PlainEvent[] = [];
  for (const e of p) {
    const plain = plainEvent(e);
    if (plain === undefined) return undefined;
    events.push(plain);
  }
  return events;
}
