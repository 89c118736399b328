/**
 * The streams a command writes to and what a long-running view needs from
 * its command: defined here, below the CLI, so capabilities (stats' and
 * topology's live views) take them without importing the CLI (context.ts
 * builds them from the process's streams).
 */
import type { Readable, Writable } from 'node:stream';

export type Out = Writable & { isTTY?: boolean; columns?: number; rows?: number };

export interface Io {
  stdout: Out;
  stderr: Out;
  stdin: Readable & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  /** Aborted by the caller (Ctrl-C, SIGTERM); its reason is 'SIGINT' or 'SIGTERM'. */
  signal: AbortSignal;
}

/** What a view that runs until stopped gets from its command. */
export interface ViewContext {
  readonly io: Io;
  /** Aborts on Ctrl-C, SIGTERM, or when stdout's reader went away. */
  readonly signal: AbortSignal;
  /** A one-line diagnostic on stderr. */
  warn(message: string): void;
  /** The sink calls this when stdout's reader closed the pipe: end quietly, exit 0. */
  closePipe: () => void;
}
