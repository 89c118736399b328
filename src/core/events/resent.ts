/**
 * Events Podman sends twice. With its `file` event logger (the default where there is no systemd
 * journal), Podman 4.3 rotates its event log when it reaches `events_logfile_max_size` (1 MB by default)
 * by keeping the newer half, and every event stream open at that moment reads the kept half again
 * (containers/podman#17665, fixed upstream by #17771): a stream opened without `since` sends those events
 * a second time, and a stream opened with `since` ends.
 *
 * An exact repeat (same type, action, container and nanosecond time) is never a new event: Podman stamps
 * each event when it happens, and one container cannot do the same thing twice in one nanosecond. So on
 * Podman berth delivers each identity once (watcher.ts), whatever its age, unlike the resume cursor,
 * which only filters a replay it asked for. `DeliveredKeys` holds the identities delivered.
 *
 * Bound: the last `capacity` identities (FIFO). A rotation re-sends at most half the log: 500 kB at the
 * default size, and the smallest event line in this machine's log was 115 bytes, so at most 4348 events
 * (fewer for a filtered stream). 10,000 covers a log of up to 2.3 MB; past that, an event re-sent after
 * more than 10,000 newer ones passes again.
 */
import { RingBuffer } from '../ring-buffer.js';

export const PODMAN_RESENT_HELD = 10_000;

export class DeliveredKeys {
  private readonly keys = new Set<string>();
  private readonly order: RingBuffer<string>;

  constructor(capacity = PODMAN_RESENT_HELD) {
    this.order = new RingBuffer<string>(capacity);
  }

  /** True when `key` was not delivered before (it is then held); false for a repeat. */
  add(key: string): boolean {
    if (this.keys.has(key)) return false;
    if (this.order.size === this.order.capacity) this.keys.delete(this.order.at(0)!);
    this.order.push(key);
    this.keys.add(key);
    return true;
  }

  get size(): number {
    return this.keys.size;
  }
}
