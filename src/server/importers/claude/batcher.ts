import { INGEST_LIMITS, type IngestResponse } from '../../../contracts/index.js';
import type { ConnectorEvent } from '../../connector/bmad/to-events.js';

/** Where an importer's events go: the in-process ingestion service, or a remote server's ingestion API. */
export type Ingest = (events: ConnectorEvent[]) => Promise<IngestResponse>;

/** Collects events into batches the ingestion API takes (≤ 1000 events, under the body limit) and counts the answers. */
export class Batcher {
  readonly totals = { accepted: 0, duplicates: 0, rejected: 0 };
  firstProblem: string | null = null;
  private batch: ConnectorEvent[] = [];
  private bytes = 0;

  constructor(private readonly ingest: Ingest) {}

  async add(e: ConnectorEvent): Promise<void> {
    const size = JSON.stringify(e).length + 1;
    if (this.batch.length >= INGEST_LIMITS.maxEvents || this.bytes + size > INGEST_LIMITS.maxBytes * 0.9) await this.flush();
    this.batch.push(e);
    this.bytes += size;
  }

  async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const events = this.batch;
    this.batch = [];
    this.bytes = 0;
    const r = await this.ingest(events);
    this.totals.accepted += r.accepted;
    this.totals.duplicates += r.duplicates;
    this.totals.rejected += r.rejected;
    if (!this.firstProblem) {
      const bad = r.results.find((x) => x.status === 'rejected');
      if (bad && bad.status === 'rejected') {
        const why =
          bad.code === 'conflict'
            ? 'the same usage entry was imported before with different content (attribution changed?)'
            : bad.errors.map((er) => `${er.path}: ${er.message}`).join('; ');
        this.firstProblem = `event ${bad.id ?? `#${bad.index}`} rejected (${bad.code}): ${why}`;
      }
    }
  }
}
