import type { BmadEpic, BmadIssue, BmadStory } from '../model.js';
import { derive } from './cache.js';
import { mapStoryStatus, cleanStatusValue } from './status.js';
import { derivedEpicStatus, type ProjectFile } from './tickets.js';
import { isRecord, parseYaml, stringField } from './yaml-text.js';

/**
 * `bmad-spec` output (v6.11): `{output}/specs/spec-<slug>/SPEC.md` with `stories.yaml` (the stories in execution
 * order, never a status) and each story's progress in `stories/<id>-<slug>.md` (a Build spec with a `status`).
 * The spec is shown as an epic, its stories as stories; a spec with no stories.yaml is a document only.
 */
export function buildSpecFolderStories(
  files: ReadonlyMap<string, ProjectFile>,
  output: string,
): { stories: BmadStory[]; epics: BmadEpic[]; errors: BmadIssue[] } {
  const stories: BmadStory[] = [];
  const epics: BmadEpic[] = [];
  const errors: BmadIssue[] = [];
  const prefix = `${output}/specs/`;
  const folders = new Set<string>();
  for (const rel of files.keys()) {
    const m = /^(spec-[^/]+)\/stories\.ya?ml$/.exec(rel.startsWith(prefix) ? rel.slice(prefix.length) : '');
    if (m) folders.add(m[1]!);
  }
  for (const folder of [...folders].sort()) {
    const dir = `${prefix}${folder}`;
    const list = files.get(`${dir}/stories.yaml`) ?? files.get(`${dir}/stories.yml`)!;
    if (list.entry.facts.type !== 'text') continue;
    const text = list.entry.facts.text;
    const parsed = derive(
      list.entry,
      'stories-yaml',
      () => parseYaml(text),
      (p) => p.error === null,
    ).current;
    if (parsed.error) {
      errors.push({ kind: 'parse_error', file: list.file.rel, line: parsed.error.line, message: `${list.file.rel}: ${parsed.error.message}` });
      continue;
    }
    const items = Array.isArray(parsed.data) ? parsed.data.filter(isRecord) : [];
    const specDoc = files.get(`${dir}/SPEC.md`);
    const specTitle = specDoc?.entry.facts.type === 'markdown' ? (specDoc.entry.facts.md.h1?.text.trim() ?? null) : null;
    const epicKey = folder;
    const own: BmadStory[] = [];
    items.forEach((item) => {
      const id = stringField(item, 'id');
      if (!id) return;
      const progress = [...files.values()].find(
        (f) =>
          f.file.rel.startsWith(`${dir}/stories/`) &&
          new RegExp(`^${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-.*\\.md$`).test(f.file.rel.slice(`${dir}/stories/`.length)),
      );
      const md = progress?.entry.facts.type === 'markdown' ? progress.entry.facts.md : null;
      const value = md?.status?.value ?? null;
      const mapping = value !== null ? mapStoryStatus(value, 'v6', { blockedIsKnown: true }) : null;
      own.push({
        key: `${folder}-${id}`.slice(0, 120),
        epicKey,
        title: stringField(item, 'title') ?? `Story ${id}`,
        file: progress?.file.rel ?? null,
        sourceStatus: value !== null ? cleanStatusValue(value) : null,
        column: mapping ? mapping.column : 'backlog',
        status: mapping ? mapping.status : 'queued',
        tasksDone: md?.tasks?.done ?? null,
        tasksTotal: md?.tasks?.total ?? null,
        agentModel: md?.agentModel ?? null,
        mtimeMs: progress?.file.mtimeMs ?? list.file.mtimeMs,
        records: progress ? [{ kind: 'spec', file: progress.file.rel, line: md?.status?.line ?? null, value }] : [],
        reviewFindings: md?.reviewFindings ?? null,
        deferred: [],
        baselineCommit: stringField(md?.frontMatter?.data ?? null, 'baseline_commit'),
        assignee: null,
      });
    });
    stories.push(...own);
    epics.push({
      key: epicKey,
      title: specTitle ?? folder,
      sourceStatus: null,
      status: derivedEpicStatus(own),
      file: specDoc?.file.rel ?? null,
      line: null,
      retrospective: null,
    });
  }
  return { stories, epics, errors };
}
