import type { Clock } from '../clock.js';
import type { Logger } from '../observability/logger.js';
import { storageFailureOf, type StorageFailureKind } from './storage-failure.js';

export interface StorageProblem {
  kind: StorageFailureKind;
  since: string;
  message: string;
}

/**
 * Whether the last writes reached the disk. A write that failed for lack of space or an I/O error marks storage as
 * failing (readiness turns 503); from then on a small probe write is tried every `probeMs` until one commits, so the
 * server recovers by itself when space returns, even if no client is writing.
 */
export class StorageHealth {
  private current: StorageProblem | null = null;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly probe: () => Promise<void>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly probeMs = 5_000,
  ) {}

  get problem(): StorageProblem | null {
    return this.current;
  }

  /** Records `err` if it is a storage failure; returns its kind (null: some other error). */
  failed(err: unknown): StorageFailureKind | null {
    const kind = storageFailureOf(err);
    if (!kind) return null;
    if (!this.current) {
      this.current = { kind, since: this.clock.now().toISOString(), message: (err as Error).message };
      this.logger.error({ err, kind }, 'storage is failing: writes are refused until a probe write succeeds');
      this.timer = setInterval(() => void this.tryProbe(), this.probeMs);
      this.timer.unref();
    }
    return kind;
  }

  /** A write committed: storage works. */
  succeeded(): void {
    if (!this.current) return;
    this.logger.warn({ since: this.current.since }, 'storage recovered: writes are accepted again');
    this.current = null;
    clearInterval(this.timer);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async tryProbe(): Promise<void> {
    try {
      await this.probe();
      this.succeeded();
    } catch (err) {
      if (!storageFailureOf(err)) this.logger.warn({ err }, 'storage probe failed');
    }
  }
}
