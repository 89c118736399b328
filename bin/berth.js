#!/usr/bin/env node
// A shim: Node's compile cache where this Node has it (22.1+), source maps for BERTH_DEBUG's stack traces, then the bundle.
import module from 'node:module';
module.enableCompileCache?.();
if (process.env.BERTH_DEBUG && process.env.BERTH_DEBUG !== '0') process.setSourceMapsEnabled(true);
let bundle;
try {
  bundle = await import('../dist/bundle/main.js');
} catch (err) {
  // A checkout before its first build (npm install does not build; npm pack does, for the package).
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist/bundle/main.js')) throw err;
  console.error('berth: no build in dist/bundle/ (in a checkout of berth, run: npm run build)');
  process.exit(1);
}
bundle.main();
