#!/usr/bin/env node
/**
 * `npm start`: runs the quick start's program (see `Quickstart.ts`); Ctrl-C stops it cleanly (the users it
 * created are deleted and the simulator is closed). Exits with 1 when a step fails.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { program } from "./Quickstart.js"

const fiber = Effect.runFork(program)
const interrupt = () => Effect.runFork(Fiber.interrupt(fiber))
process.once("SIGINT", interrupt)
process.once("SIGTERM", interrupt)
fiber.addObserver((exit) => {
  process.off("SIGINT", interrupt)
  process.off("SIGTERM", interrupt)
  if (Exit.isFailure(exit)) {
    const failure = Cause.failureOption(exit.cause)
    const message = failure._tag === "Some" && failure.value instanceof Error
      ? `${failure.value.name}: ${failure.value.message}`
      : Cause.isInterruptedOnly(exit.cause)
      ? "interrupted"
      : Cause.pretty(exit.cause)
    console.error(`\nThe flow failed. ${message}`)
    process.exitCode = 1
  }
})
