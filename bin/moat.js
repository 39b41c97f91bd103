#!/usr/bin/env node
// Entry point of the `moat` command: runs the compiled CLI (built by `npm ci` / `npm run build`).
import '../dist/src/cli/main.js';
