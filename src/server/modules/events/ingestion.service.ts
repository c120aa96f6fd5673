import { parseIncomingEvent, type IncomingEvent, type IngestResponse, type IngestResult } from '../../../contracts/index.js';
import type { EventWriter } from './event-writer.js';

export interface IngestionMetrics {
  countResult(result: IngestResult['status'], n: number): void;
}

/**
 * Validates each posted event on its own, hands the valid ones to the writer, and reports one result per event in
 * request order. Resolves only once the accepted events are committed.
 */
export class IngestionService {
  constructor(
    private readonly writer: EventWriter,
    private readonly metrics: IngestionMetrics,
  ) {}

  /** `onlyProject`: the caller's key is bound to that project; an event of any other project (or of none) is rejected. */
  async ingest(rawEvents: readonly unknown[], opts: { onlyProject?: string | null } = {}): Promise<IngestResponse> {
    const results: IngestResult[] = new Array(rawEvents.length);
    const valid: IncomingEvent[] = [];
    const validIndex: number[] = [];
    rawEvents.forEach((raw, index) => {
      const parsed = parseIncomingEvent(raw);
      const projectOf = parsed.ok ? (parsed.event.entityType === 'project' ? parsed.event.entityId : parsed.event.projectId) : null;
      if (parsed.ok && opts.onlyProject && projectOf !== opts.onlyProject) {
        results[index] = {
          index,
          id: parsed.event.sourceEventId,
          source: parsed.event.source,
          status: 'rejected',
          code: 'project_not_allowed',
          errors: [{ path: 'projectId', message: `this key sends for project ${opts.onlyProject} only (the event is ${projectOf ? `for ${projectOf}` : 'for no project'})` }],
        };
      } else if (parsed.ok) {
        valid.push(parsed.event);
        validIndex.push(index);
      } else {
        results[index] = {
          index,
          id: parsed.id ?? null,
          source: parsed.source ?? null,
          status: 'rejected',
          code: 'validation_failed',
          errors: parsed.errors,
        };
      }
    });

    const outcomes = await this.writer.append(valid);
    outcomes.forEach((outcome, i) => {
      const index = validIndex[i]!;
      const e = valid[i]!;
      const base = { index, id: e.sourceEventId, source: e.source };
      results[index] =
        outcome.status === 'conflict'
          ? {
              ...base,
              status: 'rejected',
              code: 'conflict',
              errors: [{ path: 'id', message: `event ${e.source}/${e.sourceEventId} was already stored (sequence ${outcome.eventId}) with different content` }],
            }
          : { ...base, status: outcome.status, eventId: outcome.eventId };
    });

    const counts = { accepted: 0, duplicate: 0, rejected: 0 };
    for (const r of results) counts[r.status]++;
    for (const status of ['accepted', 'duplicate', 'rejected'] as const) if (counts[status]) this.metrics.countResult(status, counts[status]);
    return { accepted: counts.accepted, duplicates: counts.duplicate, rejected: counts.rejected, results };
  }
}
