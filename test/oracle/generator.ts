/**
 * The oracle harness's seeded generator: what containers to make and what each writes, from one seed.
 * Every line a container writes is unique within the run (container tag + counter) and known here, so
 * lines of containers the engine no longer has can still be checked. Lines have random lengths, some
 * past docker's 16 KiB message size (split by the engine, joined by berth) and some with bytes that are
 * not UTF-8.
 */

/** mulberry32: a small seeded PRNG, enough for choosing actions. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Action = 'burst' | 'writer' | 'restart' | 'remove' | 'idle';

export interface Step {
  action: Action;
  /** Wait before the next step, ms. */
  gapMs: number;
}

const WEIGHTS: Array<[Action, number]> = [
  ['burst', 3],
  ['writer', 2],
  ['restart', 1],
  ['remove', 1],
  ['idle', 1],
];

export function pick(r: () => number): Action {
  const total = WEIGHTS.reduce((n, [, w]) => n + w, 0);
  let x = r() * total;
  for (const [a, w] of WEIGHTS) if ((x -= w) < 0) return a;
  return 'idle';
}

/** A padding of random length: mostly short, sometimes > 16 KiB; `bad` ones end in bytes that are not UTF-8 (printf octal). */
export function padding(r: () => number): { text: string; bad: boolean } {
  const x = r();
  const len = x < 0.1 ? 16 * 1024 + Math.floor(r() * 8000) : x < 0.3 ? 200 + Math.floor(r() * 3000) : Math.floor(r() * 80);
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789 -_:=';
  let text = '';
  for (let i = 0; i < len; i++) text += alphabet[Math.floor(r() * alphabet.length)];
  return { text, bad: r() < 0.15 };
}

/** The bytes printf writes for `\\377\\376`: what a line marked bad ends with. */
export const BAD_BYTES = Buffer.from([0xff, 0xfe]);

/**
 * A shell script that writes `count` lines (0 = forever, one every `everyMs`), each
 * "<tag>-<n>-<pad>", pads taken in turn from the env PAD0..PADk, and exits after `lingerS` seconds.
 * Lines whose pad is bad get \\377\\376 after the pad; odd pads go to stderr.
 */
export function writerScript(tag: string, pads: Array<{ bad: boolean }>, count: number, everyMs: number, lingerS: number): string {
  const cases = pads.map((p, i) => `${i}) printf '%s-%d-%s${p.bad ? '\\377\\376' : ''}\\n' ${tag} $i "$PAD${i}"${i % 2 ? ' >&2' : ''} ;;`).join(' ');
  const sleep = everyMs > 0 ? `sleep ${(everyMs / 1000).toFixed(3)};` : '';
  const cond = count > 0 ? `[ $i -lt ${count} ]` : 'true';
  return `i=0; while ${cond}; do i=$((i+1)); case $((i % ${pads.length})) in ${cases} esac; ${sleep} done; sleep ${lingerS}`;
}

/** What a line written by writerScript looks like once decoded as UTF-8 (U+FFFD for each bad byte), for a given counter. */
export function expectedLine(tag: string, n: number, pad: { text: string; bad: boolean }): string {
  return `${tag}-${n}-${pad.text}${pad.bad ? BAD_BYTES.toString('utf8') : ''}`;
}
