/**
 * When each recent event was committed, on this process's monotonic clock. Latency is then "now - committed" when a
 * client acknowledges, so client clock skew cannot distort it. A fixed ring indexed by sequence number: O(1) per event
 * and bounded memory (a Map evicting its oldest key degrades as deleted entries pile up at its front).
 */
export class CommitTimes {
  private readonly ids: Float64Array;
  private readonly times: Float64Array;

  constructor(private readonly capacity = 65_536) {
    this.ids = new Float64Array(capacity).fill(-1);
    this.times = new Float64Array(capacity);
  }

  record(eventId: number, at: number): void {
    const slot = eventId % this.capacity;
    this.ids[slot] = eventId;
    this.times[slot] = at;
  }

  get(eventId: number): number | undefined {
    const slot = eventId % this.capacity;
    return this.ids[slot] === eventId ? this.times[slot] : undefined;
  }
}
