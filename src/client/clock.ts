import { addMonthsUtc } from '../core/reset-period.js';
import { AllotError } from '../errors.js';

/** Where allot reads the time. Every instant is epoch milliseconds, UTC. */
export interface Clock {
  now(): number;
}

/** The system clock, the default. */
export const systemClock: Clock = { now: () => Date.now() };

/** A span to move a `ManualClock` by; months and years step calendar months in UTC with month-end clamping. */
export interface ClockStep {
  years?: number;
  months?: number;
  weeks?: number;
  days?: number;
  hours?: number;
  minutes?: number;
  seconds?: number;
  milliseconds?: number;
}

function toEpoch(value: Date | string | number): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw new AllotError('INVALID_INPUT', `not a valid instant: ${String(value)}`);
  return ms;
}

/**
 * A clock that moves only when told: time travel for tests and pricing harnesses. Trials end,
 * usage resets and scheduled changes apply as soon as it is moved past their time.
 *
 * @example
 * const clock = new ManualClock('2025-01-31T00:00:00Z');
 * clock.advance({ months: 1 }); // 2025-02-28T00:00:00Z
 */
export class ManualClock implements Clock {
  #now: number;

  constructor(start: Date | string | number = Date.now()) {
    this.#now = toEpoch(start);
  }

  now(): number {
    return this.#now;
  }

  /** Jumps to an instant (backwards too). */
  set(instant: Date | string | number): void {
    this.#now = toEpoch(instant);
  }

  /** Moves forward by milliseconds or by a calendar step; returns the new time as a Date. */
  advance(step: number | ClockStep): Date {
    if (typeof step === 'number') {
      this.#now += step;
    } else {
      const months = (step.years ?? 0) * 12 + (step.months ?? 0);
      if (months) this.#now = addMonthsUtc(this.#now, months);
      this.#now +=
        (step.weeks ?? 0) * 604_800_000 +
        (step.days ?? 0) * 86_400_000 +
        (step.hours ?? 0) * 3_600_000 +
        (step.minutes ?? 0) * 60_000 +
        (step.seconds ?? 0) * 1000 +
        (step.milliseconds ?? 0);
    }
    return new Date(this.#now);
  }
}
