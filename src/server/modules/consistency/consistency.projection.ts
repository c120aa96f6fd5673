import { isNewer, versionOf, type Projection } from '../events/index.js';
import { consistencyRepository } from './consistency.repository.js';

/**
 * Each consistency.reported event is a source's complete current view of one project's findings: the newest report
 * (by occurredAt, then identity) replaces the previous one, whatever order they arrive in.
 */
export const consistencyProjection: Projection<'consistency.reported'> = {
  name: 'consistency',
  handles: ['consistency.reported'],
  async apply(trx, events) {
    for (const e of events) {
      const v = versionOf(e);
      const current = await consistencyRepository.currentVersion(trx, e.entityId, e.source);
      if (current && !isNewer(v, { at: current.reportedAt, key: current.versionKey })) continue;
      await consistencyRepository.replace(trx, {
        projectId: e.entityId,
        source: e.source,
        reportedAt: v.at,
        versionKey: v.key,
        findings: e.payload.findings.map((f) => ({
          kind: f.kind,
          story_id: f.storyId ?? null,
          file: f.file ?? null,
          line: f.line ?? null,
          message: f.message,
          expected: f.expected ?? null,
          actual: f.actual ?? null,
          entity: f.entity ?? null,
          field: f.field ?? null,
        })),
      });
    }
  },
};
