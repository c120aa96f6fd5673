import type { QueryClient, QueryKey } from '@tanstack/react-query';

/**
 * Coalesces refetches: at 50 events/s a list whose membership changes must not refetch 50 times a second. Each key
 * prefix refetches at most once per interval, and only queries someone is looking at (TanStack's active queries).
 */
export class ThrottledInvalidator {
  private readonly pending = new Map<string, QueryKey>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly qc: QueryClient,
    private readonly intervalMs = 1000,
  ) {}

  invalidate(prefix: QueryKey): void {
    this.pending.set(JSON.stringify(prefix), prefix);
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  private flush(): void {
    this.timer = undefined;
    const keys = [...this.pending.values()];
    this.pending.clear();
    for (const queryKey of keys) void this.qc.invalidateQueries({ queryKey, refetchType: 'active' });
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}
