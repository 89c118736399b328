/**
 * Per-tick counters: named cells that sources increment as real events
 * arrive, and that the tick loop reads and resets in one step (`drain`).
 *
 * Atomicity: JavaScript runs one callback at a time, and `drain` swaps the
 * whole cell map for a fresh one in a single synchronous statement, so an
 * increment lands either before the swap (this tick) or after it (the next
 * tick): never in both, never in neither.
 *
 * Bounds: a cell never holds more than `cap` (default 1000); increments past
 * it are counted in `clampedCells` for the tick but do not grow the number.
 * The number of cells is bounded by `maxCells`; increments to a new cell past
 * that bound are dropped and counted in `droppedCells`.
 */
export const DEFAULT_CELL_CAP = 1000;
export const DEFAULT_MAX_CELLS = 8192;

export interface Drained {
  cells: Map<string, number>;
  /** Cells that hit the cap during the tick. */
  clamped: number;
  /** Increments dropped because the cell table was full. */
  dropped: number;
}

export class TickCounters {
  private cells = new Map<string, number>();
  private clamped = new Set<string>();
  private dropped = 0;

  constructor(
    readonly cap = DEFAULT_CELL_CAP,
    readonly maxCells = DEFAULT_MAX_CELLS,
  ) {}

  /** Adds `n` (a positive whole number) to a cell, clamped at the cap. */
  add(cell: string, n = 1): void {
    if (!(n > 0)) return;
    const cur = this.cells.get(cell);
    if (cur === undefined && this.cells.size >= this.maxCells) {
      this.dropped += n;
      return;
    }
    const next = (cur ?? 0) + n;
    if (next > this.cap) this.clamped.add(cell);
    this.cells.set(cell, Math.min(next, this.cap));
  }

  /** A cell's value so far in this tick (for tests and the live view). */
  peek(cell: string): number {
    return this.cells.get(cell) ?? 0;
  }

  /** Reads every cell and resets them, in one synchronous step. */
  drain(): Drained {
    const out: Drained = { cells: this.cells, clamped: this.clamped.size, dropped: this.dropped };
    this.cells = new Map();
    this.clamped = new Set();
    this.dropped = 0;
    return out;
  }
}

/** Cell names, so every source and the snapshot agree on them. */
export const cell = {
  node: (id: string, what: string) => `n\u0000${id}\u0000${what}`,
  edge: (from: string, to: string, what: string) => `e\u0000${from}\u0000${to}\u0000${what}`,
};
