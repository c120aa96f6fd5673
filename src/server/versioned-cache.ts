/**
 * Values kept in memory while the version they were computed at is still current: a reader reads the version first,
 * then asks here, and computes afresh only on a miss. Reading the version before the value means a commit in between
 * can only make an entry look older than it is, never newer. The least recently used entry goes first past `capacity`.
 */
export class VersionedCache<V, Version = string | number> {
  private readonly entries = new Map<string, { version: Version; value: V }>();

  constructor(
    private readonly capacity: number,
    private readonly enabled = true,
  ) {}

  async get(key: string, version: Version, compute: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    // Most recently used last, so the oldest entry is the first to go.
    this.entries.delete(key);
    if (hit && hit.version === version && this.enabled) {
      this.entries.set(key, hit);
      return hit.value;
    }
    const value = await compute();
    this.entries.set(key, { version, value });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }
}
