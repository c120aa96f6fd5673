/**
 * When each recent event was committed, on this process's monotonic clock. Latency is then "now - committed" when a
 * client acknowledges, so client clock skew cannot distort it. Bounded: only the newest `capacity` events are kept.
 */
export class CommitTimes {
  private readonly times = new Map<number, number>();

  constructor(private readonly capacity = 50_000) {}

  record(eventId: number, at: number): void {
    this.times.set(eventId, at);
    if (this.times.size > this.capacity) {
      const oldest = this.times.keys().next().value;
      if (oldest !== undefined) this.times.delete(oldest);
    }
  }

  get(eventId: number): number | undefined {
    return this.times.get(eventId);
  }
}
