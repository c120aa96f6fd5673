import type { Module, StaleStateMessage, SyncStatusMessage } from '../../../contracts/index.js';
import type { Clock } from '../../clock.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { syncRepository } from '../sync/index.js';
import { summarise, type StalenessOptions } from '../sync/index.js';

export interface ModuleFreshness {
  stale: StaleStateMessage;
  sync: SyncStatusMessage;
}

/**
 * The background job behind stale_state and sync_status: evaluates every module from sync_state (the same function
 * GET /sync/status uses, so both tell the same story) and reports the modules whose state changed.
 */
export class StaleMonitor {
  private current = new Map<Module, ModuleFreshness>();
  private keys = new Map<Module, string>();
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly db: DatabaseHandle,
    private readonly clock: Clock,
    private readonly opts: StalenessOptions,
    private readonly onChange: (module: Module, freshness: ModuleFreshness) => void,
  ) {}

  get(module: Module): ModuleFreshness | undefined {
    return this.current.get(module);
  }

  isStale(module: Module): boolean {
    return this.current.get(module)?.stale.isStale ?? true;
  }

  /** Evaluates now; concurrent calls coalesce into at most one extra run. */
  evaluate(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.runOnce();
      } while (this.again);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runOnce(): Promise<void> {
    const modules = summarise(await syncRepository.all(this.db.read), this.clock.now(), this.opts);
    for (const m of modules) {
      const freshness: ModuleFreshness = {
        stale: { type: 'stale_state', module: m.module, isStale: m.isStale, lastSuccessfulUpdateAt: m.lastSuccessfulSyncAt, reason: m.reason },
        sync: { type: 'sync_status', module: m.module, status: m.status, lastSuccessfulSyncAt: m.lastSuccessfulSyncAt, error: m.error },
      };
      const key = JSON.stringify(freshness);
      this.current.set(m.module, freshness);
      if (this.keys.get(m.module) !== key) {
        this.keys.set(m.module, key);
        this.onChange(m.module, freshness);
      }
    }
  }
}
