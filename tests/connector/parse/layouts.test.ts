import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NoBmadProjectError, scanBmadProject } from '../../../src/server/connector/bmad/parse/index.js';
import { SPRINT_STATUS, tempProjects, v4Story, v6Files, v6Story } from './fixtures.js';

const EXAMPLES = join(import.meta.dirname, '..', '..', '..', 'examples');
const project = tempProjects();

describe('layout detection', () => {
  it('v6 `_bmad/bmm/config.yaml`: reads project name and artifact folders from the config ({project-root} replaced)', async () => {
    const root = await project(v6Files());
    const snap = await scanBmadProject(root);
    expect(snap.layout).toBe('v6');
    expect(snap.projectName).toBe('Todo App');
    expect(snap.projectKey).toBe('todo-app');
    expect(snap.sprintStatusFile).toBe('_bmad-output/implementation-artifacts/sprint-status.yaml');
    expect(snap.stories.map((s) => s.key)).toEqual(['1-1-user-authentication', '1-2-account-management', '2-1-personality-system']);
    expect(snap.columns).toEqual(['backlog', 'ready-for-dev', 'in-progress', 'review', 'done']);
    expect(snap.errors).toEqual([]);
  });

  it('v6 with custom artifact folders in config.yaml', async () => {
    const root = await project({
      '_bmad/bmm/config.yaml':
        'project_name: Custom\nplanning_artifacts: "{project-root}/plans"\nimplementation_artifacts: "{project-root}/work/impl"\noutput_folder: "{project-root}/out"\n',
      'work/impl/sprint-status.yaml': 'development_status:\n  epic-1: in-progress\n  1-1-hello: in-progress\n',
      'work/impl/1-1-hello.md': v6Story('1.1', 'Hello', 'in-progress'),
      'plans/prd.md': '---\nstepsCompleted: [1, 2]\n---\n# PRD\n',
    });
    const snap = await scanBmadProject(root);
    expect(snap.sprintStatusFile).toBe('work/impl/sprint-status.yaml');
    expect(snap.stories[0]).toMatchObject({ key: '1-1-hello', file: 'work/impl/1-1-hello.md', column: 'in-progress', status: 'in_progress' });
    expect(snap.planning).toEqual([expect.objectContaining({ workflow: 'create-prd', file: 'plans/prd.md', stepsCompleted: ['1', '2'], complete: false })]);
  });

  it('v6.7+: `_bmad/config.toml` alone is enough; spec files with YAML front matter are stories', async () => {
    const root = await project({
      '_bmad/config.toml':
        '[core]\nproject_name = "Spec Shop"\noutput_folder = "{project-root}/_bmad-output"\n\n[modules.bmm]\nimplementation_artifacts = "{project-root}/_bmad-output/implementation-artifacts"\n',
      '_bmad/_config/manifest.yaml': 'installation:\n  version: 6.7.0\n',
      '_bmad-output/implementation-artifacts/spec-dark-mode.md':
        '---\ntitle: Dark mode\nstatus: in-review\n---\n\n# Dark mode\n\n## Tasks\n\n- [x] tokens\n- [ ] toggle\n',
      '_bmad-output/implementation-artifacts/spec-export.md': '---\nstatus: draft\n---\n\n# Export to CSV\n',
    });
    const snap = await scanBmadProject(root);
    expect(snap.layout).toBe('v6');
    expect(snap.projectName).toBe('Spec Shop');
    expect(snap.stories.map((s) => [s.key, s.title, s.column, s.status, s.tasksDone, s.tasksTotal])).toEqual([
      ['spec-dark-mode', 'Dark mode', 'review', 'in_progress', 1, 2],
      ['spec-export', 'Export to CSV', 'backlog', 'queued', null, null],
    ]);
    expect(snap.findings).toEqual([]);
  });

  it('v6 alpha `.bmad/` (alpha.8-16): sprint-artifacts folder and docs/', async () => {
    const root = await project({
      '.bmad/bmm/config.yaml': "project_name: Alpha Dot\noutput_folder: '{project-root}/docs'\nsprint_artifacts: '{project-root}/docs/sprint-artifacts'\n",
      'docs/sprint-artifacts/sprint-status.yaml': SPRINT_STATUS,
      'docs/sprint-artifacts/1-1-user-authentication.md': v6Story('1.1', 'User Authentication', 'done'),
      'docs/sprint-artifacts/1-1-user-authentication.context.xml': '<story-context/>',
      'docs/sprint-artifacts/tech-spec-epic-1.md': '# Tech Spec: Epic 1\n',
      'docs/prd.md': '# PRD\n\n## Epic 1: Accounts\n',
      'docs/bmm-workflow-status.yaml':
        'workflow_status:\n  product-brief: docs/product-brief.md\n  prd: docs/prd.md\n  create-architecture: required\n  create-ux-design: skipped\n',
      'docs/product-brief.md': '# Brief\n',
    });
    const snap = await scanBmadProject(root);
    expect(snap.layout).toBe('v6-alpha-dotbmad');
    expect(snap.sprintStatusFile).toBe('docs/sprint-artifacts/sprint-status.yaml');
    expect(snap.stories.find((s) => s.key === '1-1-user-authentication')).toMatchObject({
      file: 'docs/sprint-artifacts/1-1-user-authentication.md',
      status: 'done',
    });
    expect(snap.epics.find((e) => e.key === '1')).toMatchObject({ key: '1', title: 'Accounts', sourceStatus: 'in-progress' });
    const kinds = Object.fromEntries(snap.documents.map((d) => [d.path, [d.kind, d.storyKey]]));
    expect(kinds['docs/sprint-artifacts/1-1-user-authentication.context.xml']).toEqual(['story-context', '1-1-user-authentication']);
    expect(kinds['docs/sprint-artifacts/tech-spec-epic-1.md']).toEqual(['tech-spec', null]);
    expect(kinds['docs/bmm-workflow-status.yaml']).toEqual(['workflow-status', null]);
    const byWorkflow = Object.fromEntries(snap.planning.map((p) => [p.workflow, p]));
    expect(byWorkflow['create-prd']).toMatchObject({ file: 'docs/prd.md', complete: true });
    expect(byWorkflow['create-product-brief']).toMatchObject({ file: 'docs/product-brief.md', complete: true });
    expect(byWorkflow['create-architecture']).toMatchObject({ file: 'docs/bmm-workflow-status.yaml', complete: false, workflowStatus: 'required' });
    expect(byWorkflow['create-ux-design']).toMatchObject({ complete: false, workflowStatus: 'skipped' });
  });

  it('v6 alpha `.bmad/` without a config file: default folders (docs/sprint-artifacts), name from the folder', async () => {
    const root = await project({
      '.bmad/bmm/agents/dev.md': '# dev\n',
      'docs/sprint-artifacts/sprint-status.yaml': 'development_status:\n  epic-1: backlog\n  1-1-a: backlog\n',
    });
    const snap = await scanBmadProject(root);
    expect(snap.layout).toBe('v6-alpha-dotbmad');
    expect(snap.projectName).toBe(root.split('/').pop());
    expect(snap.stories.map((s) => [s.key, s.title])).toEqual([['1-1-a', 'A']]);
  });

  it('v6 with only `_bmad/core/config.yaml`: read for the output folder', async () => {
    const root = await project({
      '_bmad/core/config.yaml': 'user_name: Sam\noutput_folder: "{project-root}/out"\n',
      'out/implementation-artifacts/1-1-a.md': v6Story('1.1', 'A', 'done'),
    });
    const snap = await scanBmadProject(root);
    expect(snap.layout).toBe('v6');
    expect(snap.stories.map((s) => [s.key, s.file])).toEqual([['1-1-a', 'out/implementation-artifacts/1-1-a.md']]);
  });

  it('v6 alpha `bmad/` (alpha.0-7): dev_story_location, alpha.0 story-N.M.md files and their statuses', async () => {
    const root = await project({
      'bmad/bmm/config.yaml': "project_name: Alpha Zero\noutput_folder: '{project-root}/docs'\ndev_story_location: '{project-root}/docs/stories'\n",
      'docs/stories/story-1.1.md': '# Story 1.1: Login\n\nStatus: ContextReadyDraft\n',
      'docs/stories/story-1.2.md': '# Story 1.2: Logout\n\nStatus: Ready for Review\n',
      'docs/stories/1-3-profile.md': '# Story 1.3: Profile\n\nStatus: drafted\n',
    });
    const snap = await scanBmadProject(root);
    expect(snap.layout).toBe('v6-alpha-bmad');
    expect(snap.sprintStatusFile).toBeNull();
    expect(snap.stories.map((s) => [s.key, s.column, s.status])).toEqual([
      ['1.1', 'ready-for-dev', 'queued'],
      ['1.2', 'review', 'in_progress'],
      ['1-3-profile', 'ready-for-dev', 'queued'],
    ]);
  });

  it('v4 `.bmad-core/core-config.yaml`: devStoryLocation, ## Status blocks, slug-named stories, QA gates', async () => {
    const root = await project({
      '.bmad-core/core-config.yaml':
        'devStoryLocation: docs/stories\nqa:\n  qaLocation: docs/qa\nprd:\n  prdFile: docs/prd.md\narchitecture:\n  architectureFile: docs/architecture.md\n',
      'docs/prd.md': '# Shop PRD\n\n## Epic 1 Foundation & Core Infrastructure\n\n## Epic 2: Checkout\n',
      'docs/architecture.md': '# Architecture\n',
      'docs/stories/1.1.story.md': v4Story('1.1', 'Project Setup', 'Done'),
      'docs/stories/1.2.user-login.md': v4Story('1.2', 'User Login', 'InProgress'),
      'docs/qa/gates/1.1-project-setup.yml': 'gate: PASS\nreviewer: Quinn\n',
    });
    const snap = await scanBmadProject(root);
    expect(snap.layout).toBe('v4');
    expect(snap.projectName).toBe(root.split('/').pop());
    expect(snap.columns).toEqual(['Draft', 'Approved', 'InProgress', 'Review', 'Done']);
    expect(snap.stories.map((s) => [s.key, s.title, s.column, s.status, s.file])).toEqual([
      ['1.1', 'Project Setup', 'Done', 'done', 'docs/stories/1.1.story.md'],
      ['1.2', 'User Login', 'InProgress', 'in_progress', 'docs/stories/1.2.user-login.md'],
    ]);
    expect(snap.epics.map(({ key, title, sourceStatus }) => ({ key, title, sourceStatus }))).toEqual([
      { key: '1', title: 'Foundation & Core Infrastructure', sourceStatus: null },
      { key: '2', title: 'Checkout', sourceStatus: null },
    ]);
    expect(snap.documents.find((d) => d.path === 'docs/qa/gates/1.1-project-setup.yml')).toMatchObject({
      kind: 'qa-gate',
      storyKey: '1.1',
      mimeType: 'application/yaml',
    });
    expect(snap.planning.map((p) => p.workflow).sort()).toEqual(['create-architecture', 'create-prd']);
  });

  it('v4 sharded PRD and architecture: the index is the artifact, shards are documents of the same kind', async () => {
    const root = await project({
      '.bmad-core/core-config.yaml':
        'devStoryLocation: docs/stories\nprd:\n  prdSharded: true\n  prdShardedLocation: docs/prd\narchitecture:\n  architectureShardedLocation: docs/architecture\n',
      'docs/prd/index.md': '# Shop PRD\n',
      'docs/prd/epic-1-foundation.md': '# Epic 1 Foundation\n',
      'docs/architecture/index.md': '# Shop Architecture\n',
      'docs/architecture/tech-stack.md': '# Tech Stack\n',
      'docs/stories/1.1.story.md': v4Story('1.1', 'Setup', 'Draft'),
    });
    const snap = await scanBmadProject(root);
    expect(snap.planning.map((p) => [p.workflow, p.file])).toEqual([
      ['create-architecture', 'docs/architecture/index.md'],
      ['create-prd', 'docs/prd/index.md'],
    ]);
    expect(snap.documents.find((d) => d.path === 'docs/prd/epic-1-foundation.md')?.kind).toBe('prd');
    expect(snap.documents.find((d) => d.path === 'docs/architecture/tech-stack.md')?.kind).toBe('architecture');
    expect(snap.epics.map(({ key, title, sourceStatus }) => ({ key, title, sourceStatus }))).toEqual([{ key: '1', title: 'Foundation', sourceStatus: null }]);
  });

  it('a folder with no BMAD layout: a clear error naming the folder', async () => {
    const root = await project({ 'README.md': '# not bmad\n', 'docs/prd.md': '# PRD\n' });
    await expect(scanBmadProject(root)).rejects.toThrow(NoBmadProjectError);
    await expect(scanBmadProject(root)).rejects.toThrow(root);
    await expect(scanBmadProject(join(root, 'missing'))).rejects.toThrow(/No BMAD project found in .*missing/);
  });

  it('examples/bmad-v6-sample: every status, drift, an unknown value, a sprint-only story, planning artifacts and a PDF', async () => {
    const snap = await scanBmadProject(join(EXAMPLES, 'bmad-v6-sample'));
    expect(snap.layout).toBe('v6');
    expect(snap.projectName).toBe('Streakly');
    expect(snap.errors).toEqual([]);
    expect(snap.epics.map((e) => [e.key, e.sourceStatus])).toEqual([
      ['1', 'done'],
      ['2', 'in-progress'],
      ['3', 'backlog'],
    ]);
    expect(snap.stories.filter((s) => s.file !== null)).toHaveLength(12);
    const columns = new Set(snap.stories.map((s) => s.column));
    for (const c of ['backlog', 'ready-for-dev', 'in-progress', 'review', 'done', 'awaiting-operator']) expect(columns).toContain(c);
    expect(snap.stories.find((s) => s.key === '3-1-progress-charts')).toMatchObject({ sourceStatus: 'drafted', column: 'ready-for-dev' });
    expect(snap.stories.find((s) => s.key === '3-4-habit-templates')).toMatchObject({ file: null, title: 'Habit Templates', column: 'backlog' });
    expect(snap.findings.map((f) => [f.kind, f.storyKey])).toEqual([
      ['status_drift', '2-1-streak-calculation'],
      ['unknown_status', '2-5-timezone-travel-handling'],
    ]);
    expect(snap.planning.map((p) => [p.workflow, p.complete])).toEqual([
      ['create-architecture', true],
      ['create-epics-and-stories', true],
      ['check-implementation-readiness', true],
      ['create-prd', true],
      ['create-product-brief', true],
      ['create-ux-design', false],
    ]);
    const pdf = snap.documents.find((d) => d.mimeType === 'application/pdf');
    expect(pdf).toBeDefined();
    expect(snap.documents.find((d) => d.path.endsWith('architecture.md'))?.kind).toBe('architecture');
  });

  it('examples/bmad-v4-sample: Draft, Approved, InProgress, Review and Done stories, QA gates', async () => {
    const snap = await scanBmadProject(join(EXAMPLES, 'bmad-v4-sample'));
    expect(snap.layout).toBe('v4');
    expect(snap.errors).toEqual([]);
    expect(snap.findings).toEqual([]);
    expect(new Set(snap.stories.map((s) => s.column))).toEqual(new Set(['Draft', 'Approved', 'InProgress', 'Review', 'Done']));
    expect(snap.documents.filter((d) => d.kind === 'qa-gate').map((d) => d.storyKey)).toEqual(['1.1', '1.2']);
    expect(snap.epics.map((e) => e.title)).toEqual(['Foundation & Clients', 'Invoicing', 'Getting Paid']);
  });
  it('examples/bmad-v612-sample: TOML config, Build specs (one halted by Build Auto), review findings, action items, deferred work, dated runs', async () => {
    const snap = await scanBmadProject(join(EXAMPLES, 'bmad-v612-sample'));
    expect([snap.layout, snap.projectName, snap.version]).toEqual(['v6', 'Digest', '6.12.0']);
    expect(snap.errors).toEqual([]);
    expect(snap.findings).toEqual([]);
    expect(snap.stories.map((s) => [s.key, s.column, s.status])).toEqual([
      ['1-1-subscribe-with-email', 'done', 'done'],
      ['1-2-confirm-subscription', 'done', 'done'],
      ['2-1-collect-articles', 'done', 'done'],
      ['2-2-weekly-digest-delivery', 'review', 'in_progress'],
      ['2-3-unsubscribe-link', 'blocked', 'blocked'],
      ['2-4-digest-preview', 'ready-for-dev', 'queued'],
      ['3-1-reading-stats', 'backlog', 'queued'],
    ]);
    const delivery = snap.stories.find((s) => s.key === '2-2-weekly-digest-delivery')!;
    expect(delivery.records.map((r) => [r.kind, r.value])).toEqual([
      ['sprint-status', 'review'],
      ['story-file', 'review'],
      ['spec', 'done'],
    ]);
    expect([delivery.baselineCommit, delivery.deferred.map((d) => d.severity), delivery.reviewFindings]).toEqual([
      '51d7e3b',
      ['medium'],
      { open: 1, resolved: 0, deferred: 1, decisions: 1 },
    ]);
    expect(snap.actionItems.map((a) => [a.owner, a.status])).toEqual([
      ['Dana', 'open'],
      ['Omar', 'done'],
    ]);
    expect(snap.readiness?.gate).toBe('CONCERNS');
    expect(snap.deferredWork).toHaveLength(3);
    expect(snap.epics.map((e) => [e.key, e.status, e.retrospective?.verdict ?? null])).toEqual([
      ['1', 'done', 'accepted-with-open-items'],
      ['2', 'in_progress', null],
      ['3', 'queued', null],
    ]);
    // The newest PRD run is still a draft: that run is in progress; the final October run stays an earlier version.
    expect(snap.planning.find((p) => p.workflow === 'create-prd')).toMatchObject({
      file: '_bmad-output/planning-artifacts/prds/prd-digest-2026-11-12/prd.md',
      complete: false,
    });
  });
});
