#!/usr/bin/env node
/**
 * The `openremote-simulator` executable: runs {@link main} with the process's streams and signals.
 *
 * @since 0.1.0
 */
import { generateRs256KeyPair } from "./internal/keyPair.js"

// A fresh key pair per start, generated in the thread pool while the simulator's modules load (a static import
// would load them first): the first token does not wait for it. A failure surfaces at the first token.
const keyPair = generateRs256KeyPair()
keyPair.catch(() => undefined)
const { main, processIo } = await import("./cli.js")

process.exitCode = await main(process.argv.slice(2), processIo(), { keyPair })
