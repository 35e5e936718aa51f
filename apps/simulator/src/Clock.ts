/**
 * The simulator's clock. Tokens are issued and verified against it, sessions and mails are stamped with
 * it, and `advance` moves it forward so tokens expire without waiting.
 *
 * @since 0.1.0
 */
import { InvalidInput } from "./SimulatorError.js"

/**
 * A source of the current time in epoch milliseconds.
 *
 * @since 0.1.0
 * @category models
 */
export interface Clock {
  readonly now: () => number
}

/**
 * The clock of the simulator: a base clock plus the time it has been advanced by.
 *
 * @since 0.1.0
 * @category models
 */
export interface SimulatorClock extends Clock {
  /** Moves the clock forward by `ms` milliseconds (a finite number, 0 or more) and returns the new time. */
  readonly advance: (ms: number) => number
  /** How far the clock has been advanced in total, in milliseconds. */
  readonly offset: () => number
}

/**
 * The system clock (`Date.now()`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const system: Clock = { now: () => Date.now() }

/**
 * A clock that starts at a fixed time and only moves when advanced; handy in tests.
 *
 * @example
 * ```ts
 * import { Clock } from "@openremote-effect/simulator"
 *
 * const clock = Clock.make(Clock.fixed(1_700_000_000_000))
 * clock.advance(61_000) // 1_700_000_061_000
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fixed = (epochMillis: number): Clock => ({ now: () => epochMillis })

/**
 * A simulator clock on top of `base` (the system clock by default).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (base: Clock = system): SimulatorClock => {
  let offset = 0
  return {
    now: () => base.now() + offset,
    advance: (ms) => {
      if (!Number.isFinite(ms) || ms < 0) {
        throw new InvalidInput({ message: `ms: must be a finite number of milliseconds >= 0, got ${ms}` })
      }
      offset += ms
      return base.now() + offset
    },
    offset: () => offset
  }
}
