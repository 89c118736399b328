#!/usr/bin/env node
// A shim: Node's compile cache where this Node has it (22.1+), source maps for BERTH_DEBUG's stack traces, then the bundle.
import module from 'node:module';
module.enableCompileCache?.();
if (process.env.BERTH_DEBUG && process.env.BERTH_DEBUG !== '0') process.setSourceMapsEnabled(true);
const { main } = await import('../dist/bundle/main.js');
main();
