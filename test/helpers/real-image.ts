/**
 * The test image of real software (scripts/real-image.sh: Debian bookworm with Postgres 15, Redis,
 * nginx-light, Python 3 with psycopg2). A test that needs it fails, naming the script, when it is missing.
 */
import { docker } from './docker.js';

export const REAL_IMAGE = 'berth-test/real:latest';

/** Postgres 15 as Debian runs it, in the foreground (run with user `postgres`). */
export const POSTGRES_CMD = ['postgres', '-D', '/var/lib/postgresql/15/main', '-c', 'config_file=/etc/postgresql/15/main/postgresql.conf'];

export async function requireRealImage(): Promise<void> {
  try {
    await docker.getImage(REAL_IMAGE).inspect();
  } catch {
    throw new Error(`${REAL_IMAGE} is missing: build it with bash scripts/real-image.sh docker (npm test does)`);
  }
}

/** A Docker healthcheck of pg_isready on PORT (a wrong port: never healthy), every second. */
export const pgHealthcheck = (port = 5432, retries = 3) => ({
  Test: ['CMD', 'pg_isready', '-h', '127.0.0.1', '-p', String(port)],
  Interval: 1_000_000_000,
  Timeout: 3_000_000_000,
  Retries: retries,
});
