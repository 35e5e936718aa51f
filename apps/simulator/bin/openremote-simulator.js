#!/usr/bin/env node
// The `openremote-simulator` command. A committed file (not dist/bin.js itself), so that package managers can
// link the command before the package is built; it runs the built CLI.
import "../dist/bin.js"
