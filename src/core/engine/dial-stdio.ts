/**
 * One connection to an ssh:// engine: a Duplex over the stdin and stdout of
 * `ssh ... docker system dial-stdio` (ssh.ts builds the arguments), with the
 * socket methods node:http's agent calls. Closing it (an aborted request,
 * the end of a run) kills its ssh. What ssh prints on stderr is kept (the last
 * 4 KiB) and shown only when the connection fails.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Duplex } from 'node:stream';

/** The most of ssh's stderr kept for an error message. */
const MAX_STDERR = 4096;

/** The failure of an ssh connection: a connection error (code ECONNRESET) carrying what ssh said. */
function sshError(message: string, stderr: string): Error {
  const said = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-3)
    .join('; ');
  return Object.assign(new Error(said ? `${message}: ${said}` : message), { code: 'ECONNRESET' });
}

/** One connection: a Duplex over an ssh child's stdio, with the socket methods node:http's agent calls. */
export class DialStdio extends Duplex {
  private readonly child: ChildProcessWithoutNullStreams;
  private stderr = '';
  private received = false;
  /** A write that failed because ssh had gone: ended when ssh's exit is known. */
  private failedWrite: (() => void) | undefined;

  constructor(args: string[], command = 'ssh') {
    super({ allowHalfOpen: false });
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const { child } = this;
    child.stdout.on('data', (chunk: Buffer) => {
      this.received = true;
      if (!this.push(chunk)) child.stdout.pause();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-MAX_STDERR);
    });
    // A write after ssh went away: its exit says why.
    child.stdin.on('error', () => {});
    child.on('error', (err: NodeJS.ErrnoException) => {
      const missing = err.code === 'ENOENT' ? `${command} is not installed or not on PATH` : `cannot run ${command}`;
      this.destroy(Object.assign(new Error(`${missing} (${err.message})`), { code: err.code }));
    });
    child.on('close', (code, signal) => this.onExit(code, signal));
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.destroyed) return;
    if (code === 0 || (this.received && code === null)) {
      this.push(null);
      this.failedWrite?.();
      return;
    }
    const how = code === null ? `was killed by ${signal}` : `exited with status ${code}`;
    this.destroy(sshError(`ssh ${how}${this.received ? ' during the connection' : ''}`, this.stderr));
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.child.stdin.write(chunk, this.afterWrite(done));
  }

  override _final(done: (err?: Error | null) => void): void {
    this.child.stdin.end(this.afterWrite(done));
  }

  /** ssh went away under a write (EPIPE): its exit, with what it said, is the reason, not the write. */
  private afterWrite(done: (err?: Error | null) => void): (err?: Error | null) => void {
    return (err) => {
      if (!err) return done();
      this.failedWrite = () => done(err);
    };
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    done(err);
  }

  // What node:http and its agent call on a socket.
  setKeepAlive(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  /** berth sets no idle timeout on engine connections (the agent asks for 0). */
  setTimeout(): this {
    return this;
  }
  ref(): this {
    for (const h of [this.child, this.child.stdin, this.child.stdout, this.child.stderr] as Array<{ ref?: () => void }>) h.ref?.();
    return this;
  }
  unref(): this {
    for (const h of [this.child, this.child.stdin, this.child.stdout, this.child.stderr] as Array<{ unref?: () => void }>) h.unref?.();
    return this;
  }
}
