// `node --import ./test/helpers/trace-imports.mjs ...` appends the URL of every file module the process
// loads to the file named by BERTH_TRACE_IMPORTS: which of the bundle's chunks a command line loads.
import { register } from 'node:module';

register('./trace-imports-hooks.mjs', import.meta.url, { data: { file: process.env.BERTH_TRACE_IMPORTS } });
