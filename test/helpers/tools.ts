/**
 * System tools the tests use are installed by one step, scripts/setup-system.sh, which `npm test` runs
 * before any test. A test never installs anything: when a tool is missing it fails with this message.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

function found(tool: string): boolean {
  const candidates = tool.startsWith('/') ? [tool] : (process.env.PATH ?? '').split(delimiter).map((d) => join(d, tool));
  return candidates.some((p) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Returns the tool's name when it is installed; throws naming the setup step when it is not. */
export function requireTool(tool: string): string {
  if (!found(tool)) {
    throw new Error(`${tool} is not installed: run \`bash scripts/setup-system.sh test\` as root (npm test runs it first)`);
  }
  return tool;
}
