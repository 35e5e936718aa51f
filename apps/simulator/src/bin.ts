#!/usr/bin/env node
/**
 * The `openremote-simulator` executable: runs {@link main} with the process's streams and signals.
 *
 * @since 0.1.0
 */
import { main, processIo } from "./cli.js"

process.exitCode = await main(process.argv.slice(2), processIo())
