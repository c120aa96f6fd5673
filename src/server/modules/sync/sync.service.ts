import { MODULES, type Module, type SyncStatus } from '../../../contracts/index.js';
import type { Clock } from '../../clock.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { syncRepository, type SyncRow } from './sync.repository.js';

export interface StalenessOptions {
  /** A source is stale when its last success is older than this many expected intervals. */
  staleAfterIntervals: number;
}

/**
 * Per module: "unknown" until some source reported it (and stale, never shown as fresh), "failed" when any source's
 * newest report failed, else "ok". Stale when a source failed or its last success is older than N expected intervals.
 */
export function summarise(rows: readonly SyncRow[], now: Date, opts: StalenessOptions): SyncStatus['modules'] {
  return MODULES.map((module: Module) => {
    const sources = rows.filter((r) => r.module === module);
    if (sources.length === 0) {
      return {
        module,
        status: 'unknown' as const,
        lastSuccessfulSyncAt: null,
        lastAttemptAt: null,
        error: null,
        isStale: true,
        reason: 'no source has reported this module yet',
        sources: [],
      };
    }
    const failed = sources.filter((s) => s.status === 'failed');
    // The first reason found explains the staleness to a person; fresh modules have none.
    let reason: string | null = null;
    for (const s of sources) {
      if (s.status === 'failed') {
        reason = `${s.id}: last report failed: ${s.error_message ?? 'no detail'}`;
        break;
      }
      if (s.expected_interval_ms === null) continue;
      if (s.last_successful_sync_at_utc === null) {
        reason = `${s.id}: never reported success`;
        break;
      }
      const limitMs = opts.staleAfterIntervals * s.expected_interval_ms;
      if (now.getTime() - Date.parse(s.last_successful_sync_at_utc) > limitMs) {
        reason = `${s.id}: no successful report since ${s.last_successful_sync_at_utc} (expected every ${Math.round(s.expected_interval_ms / 1000)} s)`;
        break;
      }
    }
    const successes = sources.map((s) => s.last_successful_sync_at_utc).filter((x): x is string => x !== null);
    return {
      module,
      status: failed.length > 0 ? ('failed' as const) : ('ok' as const),
      // The module is only as fresh as its least fresh source.
      lastSuccessfulSyncAt: successes.length === sources.length ? successes.sort()[0]! : null,
      lastAttemptAt: sources
        .map((s) => s.last_attempt_at_utc)
        .sort()
        .at(-1)!,
      error: failed.map((s) => `${s.id}: ${s.error_message ?? 'failed'}`).join('; ') || null,
      isStale: reason !== null,
      reason,
      sources: sources.map((s) => ({
        source: s.id,
        status: s.status as 'ok' | 'failed',
        lastSuccessfulSyncAt: s.last_successful_sync_at_utc,
        lastAttemptAt: s.last_attempt_at_utc,
        expectedIntervalMs: s.expected_interval_ms,
        error: s.error_message,
        note: s.note,
      })),
    };
  });
}

export class SyncService {
  constructor(
    private readonly db: DatabaseHandle,
    private readonly clock: Clock,
    private readonly opts: StalenessOptions,
  ) {}

  async status(): Promise<SyncStatus> {
    const now = this.clock.now();
    return { modules: summarise(await syncRepository.all(this.db.read), now, this.opts), generatedAt: now.toISOString() };
  }
}
