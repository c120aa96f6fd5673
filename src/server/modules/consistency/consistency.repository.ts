import { sql } from 'kysely';
import type { Finding } from '../../../contracts/index.js';
import { chunks } from '../../db/chunks.js';
import type { Executor } from '../../db/handle.js';
import type { ConsistencyFindingsTable } from '../../db/schema.js';

export interface ConsistencyReport {
  projectId: string;
  source: string;
  reportedAt: string;
  versionKey: string;
  findings: Omit<ConsistencyFindingsTable, 'project_id' | 'source' | 'position'>[];
}

const toFinding = (r: ConsistencyFindingsTable): Finding => ({
  kind: r.kind as Finding['kind'],
  storyId: r.story_id,
  file: r.file,
  line: r.line,
  message: r.message,
  expected: r.expected,
  actual: r.actual,
  entity: r.entity,
  field: r.field,
});

export const consistencyRepository = {
  async currentVersion(db: Executor, projectId: string, source: string): Promise<{ reportedAt: string; versionKey: string } | undefined> {
    const r = await db
      .selectFrom('consistency_reports')
      .select(['reported_at', 'version_key'])
      .where('project_id', '=', projectId)
      .where('source', '=', source)
      .executeTakeFirst();
    return r ? { reportedAt: r.reported_at, versionKey: r.version_key } : undefined;
  },

  /** Replaces a project's findings from one source with a newer report. */
  async replace(db: Executor, report: ConsistencyReport): Promise<void> {
    const { projectId, source } = report;
    await db
      .insertInto('consistency_reports')
      .values({ project_id: projectId, source, reported_at: report.reportedAt, version_key: report.versionKey })
      .onConflict((oc) => oc.columns(['project_id', 'source']).doUpdateSet({ reported_at: report.reportedAt, version_key: report.versionKey }))
      .execute();
    await db.deleteFrom('consistency_findings').where('project_id', '=', projectId).where('source', '=', source).execute();
    const rows = report.findings.map((f, position) => ({ ...f, project_id: projectId, source, position }));
    for (const part of chunks(rows)) await db.insertInto('consistency_findings').values(part).execute();
  },

  /** Projects a source currently reports findings for (its next report must clear the ones that went away). */
  async projectsReportedBy(db: Executor, source: string): Promise<string[]> {
    const rows = await db.selectFrom('consistency_findings').select('project_id').distinct().where('source', '=', source).execute();
    return rows.map((r) => r.project_id);
  },

  async byProject(db: Executor, projectId: string): Promise<{ findings: Finding[]; reportedAt: string | null }> {
    const [rows, latest] = await Promise.all([
      db.selectFrom('consistency_findings').selectAll().where('project_id', '=', projectId).orderBy('source').orderBy('position').execute(),
      db
        .selectFrom('consistency_reports')
        .select((eb) => eb.fn.max('reported_at').as('at'))
        .where('project_id', '=', projectId)
        .executeTakeFirst(),
    ]);
    return { findings: rows.map(toFinding), reportedAt: (latest?.at as string | null | undefined) ?? null };
  },

  async byStories(db: Executor, storyIds: readonly string[]): Promise<Map<string, Finding[]>> {
    const out = new Map<string, Finding[]>();
    for (const part of chunks(storyIds)) {
      const rows = await db.selectFrom('consistency_findings').selectAll().where('story_id', 'in', part).orderBy('position').execute();
      for (const r of rows) out.set(r.story_id!, [...(out.get(r.story_id!) ?? []), toFinding(r)]);
    }
    return out;
  },

  /** Consistency findings per project and kind, with one message per project (its first finding) for the alert text. */
  async findingsByProject(
    db: Executor,
    kinds: readonly string[] | null,
    projectId: string | null,
  ): Promise<Map<string, { byKind: Map<string, number>; example: string | null }>> {
    let q = db.selectFrom('consistency_findings').select(['project_id', 'kind', sql<number>`count(*)`.as('n'), sql<string>`min(message)`.as('example')]);
    if (kinds) q = q.where('kind', 'in', kinds);
    if (projectId !== null) q = q.where('project_id', '=', projectId);
    const rows = await q.groupBy(['project_id', 'kind']).execute();
    const out = new Map<string, { byKind: Map<string, number>; example: string | null }>();
    for (const r of rows) {
      const entry = out.get(r.project_id) ?? { byKind: new Map<string, number>(), example: null };
      entry.byKind.set(r.kind, Number(r.n));
      entry.example ??= r.example;
      out.set(r.project_id, entry);
    }
    return out;
  },
};
