/**
 * Which wake of this process started a unit: the wake path notes each unit
 * it starts (or unpauses) with the container it was woken for, and the
 * lifecycle owner takes the note when it next sees that unit awake, so its
 * record says "woken by this serve (dependency of app)" rather than
 * "started outside". A note is taken once. Bounded: at most `max` notes,
 * the oldest dropped first, and a note older than `maxAgeMs` is not
 * believed (its unit was never seen awake by an owner, or slept and was
 * started again by someone else since).
 */
export class StartNotes {
  private readonly notes = new Map<string, { by: string; at: number }>();

  constructor(
    private readonly max = 1000,
    private readonly maxAgeMs = 10 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** `unit` was started by a wake of `by` (itself, or a container that depends on it). */
  note(unit: string, by: string): void {
    this.notes.delete(unit);
    this.notes.set(unit, { by, at: this.now() });
    if (this.notes.size > this.max) this.notes.delete(this.notes.keys().next().value!);
  }

  /** The container whose wake started `unit`, once; undefined when none did (or too long ago). */
  take(unit: string): string | undefined {
    const n = this.notes.get(unit);
    this.notes.delete(unit);
    return n && this.now() - n.at <= this.maxAgeMs ? n.by : undefined;
  }
}
