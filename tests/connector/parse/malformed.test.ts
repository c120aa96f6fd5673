import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { ParseCache, scanBmadProject } from '../../../src/server/connector/bmad/parse/index.js';
import { SPRINT_STATUS, tempProjects, touchWrite, v4Story, v6Files, v6Story } from './fixtures.js';

const SPRINT = '_bmad-output/implementation-artifacts/sprint-status.yaml';
const STORY_1_2 = '_bmad-output/implementation-artifacts/1-2-account-management.md';

/** The line the yaml library itself gives for the first error in `text`. */
function yamlErrorLine(text: string): number {
  const err = parseDocument(text, { prettyErrors: true }).errors[0];
  if (!err?.linePos) throw new Error('expected a YAML error');
  return err.linePos[0].line;
}

const project = tempProjects();

describe('malformed files are reported with file and line; the rest of the project still parses', () => {
  it('bad sprint-status.yaml: the yaml library error line; stories fall back to their files', async () => {
    const broken = SPRINT_STATUS.replace('  1-2-account-management: review   # inline comments are common', '  1-2-account-management: [review\n  bad: : :');
    const root = await project({ ...v6Files(), [SPRINT]: broken });
    const snap = await scanBmadProject(root);
    expect(snap.errors).toHaveLength(1);
    expect(snap.errors[0]).toMatchObject({ kind: 'parse_error', file: SPRINT });
    expect(snap.errors[0]!.line).toBe(yamlErrorLine(broken));
    expect(snap.sprintStatusFile).toBe(SPRINT);
    // What still reads as `key: status` gives the board (the damaged line is left out); story files give the rest.
    expect(snap.stories.map((s) => [s.key, s.column])).toEqual([
      ['1-1-user-authentication', 'done'],
      ['1-2-account-management', 'review'],
      ['2-1-personality-system', 'backlog'],
    ]);
    expect(snap.documents.length).toBeGreaterThan(0);
  });

  it('a duplicate key in sprint-status.yaml is an error at that line', async () => {
    const root = await project({
      ...v6Files(),
      [SPRINT]: 'development_status:\n  epic-1: backlog\n  1-1-user-authentication: done\n  1-1-user-authentication: review\n',
    });
    const snap = await scanBmadProject(root);
    expect(snap.errors).toEqual([expect.objectContaining({ file: SPRINT, line: 4 })]);
  });

  it('with a cache, a bad save of sprint-status.yaml keeps the last good board and recovers on the next good save', async () => {
    const root = await project(v6Files());
    const cache = new ParseCache();
    const good = await scanBmadProject(root, { cache });
    expect(good.stories.find((s) => s.key === '2-1-personality-system')).toBeDefined();
    await touchWrite(root, SPRINT, SPRINT_STATUS + 'development_status: {\n', 5);
    const bad = await scanBmadProject(root, { cache });
    expect(bad.errors).toEqual([expect.objectContaining({ kind: 'parse_error', file: SPRINT })]);
    expect(bad.stories.map((s) => s.key)).toEqual(good.stories.map((s) => s.key));
    await touchWrite(root, SPRINT, SPRINT_STATUS.replace('2-1-personality-system: backlog', '2-1-personality-system: in-progress'), 10);
    const fixed = await scanBmadProject(root, { cache });
    expect(fixed.errors).toEqual([]);
    expect(fixed.stories.find((s) => s.key === '2-1-personality-system')?.column).toBe('in-progress');
  });

  it('a story file with no title: error at line 1 naming the file; the story stays on the board from sprint-status', async () => {
    const root = await project({ ...v6Files(), [STORY_1_2]: 'Status: review\n\n## Story\n\nNo heading here.\n' });
    const snap = await scanBmadProject(root);
    expect(snap.errors).toEqual([expect.objectContaining({ kind: 'parse_error', file: STORY_1_2, line: 1, storyKey: '1-2-account-management' })]);
    expect(snap.errors[0]!.message).toMatch(/no title/);
    const story = snap.stories.find((s) => s.key === '1-2-account-management');
    expect(story).toMatchObject({ file: STORY_1_2, column: 'review', title: 'Account Management' });
    expect(snap.stories.find((s) => s.key === '1-1-user-authentication')?.title).toBe('User Authentication');
  });

  it('a v4 story with no title is reported and left out on a first scan; with a cache its last good version is kept', async () => {
    const files = {
      '.bmad-core/core-config.yaml': 'devStoryLocation: docs/stories\n',
      'docs/stories/1.1.story.md': v4Story('1.1', 'Setup', 'Done'),
      'docs/stories/1.2.story.md': v4Story('1.2', 'Login', 'InProgress'),
    };
    const root = await project(files);
    const cache = new ParseCache();
    await scanBmadProject(root, { cache });
    await touchWrite(root, 'docs/stories/1.2.story.md', '## Status\n\nReview\n');
    const withCache = await scanBmadProject(root, { cache });
    expect(withCache.errors).toEqual([expect.objectContaining({ file: 'docs/stories/1.2.story.md', line: 1 })]);
    expect(withCache.stories.find((s) => s.key === '1.2')).toMatchObject({ title: 'Login', column: 'InProgress' });
    const fresh = await scanBmadProject(root);
    expect(fresh.errors).toHaveLength(1);
    expect(fresh.stories.map((s) => s.key)).toEqual(['1.1']);
  });

  it('bad front matter in a spec story and in a planning document: error with the file line of the YAML problem', async () => {
    const spec = '_bmad-output/implementation-artifacts/spec-search.md';
    const prd = '_bmad-output/planning-artifacts/prd.md';
    const specYaml = 'title: Search\nstatus: [in-progress\n';
    const prdYaml = 'stepsCompleted: [1, 2]\nworkflowType: prd\n  bad-indent: x\n';
    const root = await project({
      ...v6Files(),
      [spec]: `---\n${specYaml}---\n\n# Search\n`,
      [prd]: `---\n${prdYaml}---\n\n# PRD\n`,
      '_bmad-output/planning-artifacts/architecture.md': '---\nstepsCompleted: [1, 2, 3, 4, 5, 6, 7, 8]\n---\n# Architecture\n',
    });
    const snap = await scanBmadProject(root);
    const byFile = Object.fromEntries(snap.errors.map((e) => [e.file, e]));
    expect(Object.keys(byFile).sort()).toEqual([spec, prd].sort());
    // The library's line within the front matter, shifted by the opening fence.
    expect(byFile[spec]!.line).toBe(yamlErrorLine(specYaml) + 1);
    expect(byFile[prd]!.line).toBe(yamlErrorLine(prdYaml) + 1);
    expect(byFile[prd]!.line).toBe(3);
    expect(byFile[spec]!.message).toMatch(/front matter/);
    // Everything else is intact.
    expect(snap.planning.map((p) => p.workflow)).toEqual(['create-architecture', 'create-epics-and-stories']);
    expect(snap.stories.map((s) => s.key)).toEqual(['1-1-user-authentication', '1-2-account-management', '2-1-personality-system']);
    expect(snap.documents.find((d) => d.path === prd)).toMatchObject({ title: 'PRD', kind: 'prd' });
  });

  it('an unclosed front matter fence is an error at line 1', async () => {
    const spec = '_bmad-output/implementation-artifacts/spec-x.md';
    const root = await project({ ...v6Files(), [spec]: '---\nstatus: done\n# X\n' });
    const snap = await scanBmadProject(root);
    expect(snap.errors).toEqual([expect.objectContaining({ file: spec, line: 1 })]);
  });

  it('bad core-config.yaml (v4): error with its line; defaults are used and stories still parse', async () => {
    const config = 'devStoryLocation: docs/stories\nprd:\n  prdFile: docs/prd.md\n   prdSharded: false\n';
    const root = await project({
      '.bmad-core/core-config.yaml': config,
      'docs/stories/1.1.story.md': v4Story('1.1', 'Setup', 'Done'),
      'docs/prd.md': '# PRD\n',
    });
    const snap = await scanBmadProject(root);
    expect(snap.layout).toBe('v4');
    expect(snap.errors).toEqual([expect.objectContaining({ kind: 'parse_error', file: '.bmad-core/core-config.yaml', line: yamlErrorLine(config) })]);
    expect(snap.errors[0]!.line).toBe(3);
    expect(snap.stories.map((s) => [s.key, s.column])).toEqual([['1.1', 'Done']]);
    expect(snap.planning.map((p) => p.file)).toEqual(['docs/prd.md']);
  });

  it('bad v6 config.yaml: error with its line; default folders are used', async () => {
    const root = await project({ ...v6Files(), '_bmad/bmm/config.yaml': 'project_name: "Todo\nuser_name: Alex\n' });
    const snap = await scanBmadProject(root);
    expect(snap.errors).toEqual([expect.objectContaining({ file: '_bmad/bmm/config.yaml' })]);
    expect(snap.errors[0]!.line).not.toBeNull();
    expect(snap.stories).toHaveLength(3);
  });

  it('a bad bmm-workflow-status.yaml (alpha) is reported too', async () => {
    const root = await project({
      'bmad/bmm/config.yaml': "output_folder: '{project-root}/docs'\n",
      'docs/bmm-workflow-status.yaml': 'workflow_status:\n  prd: required\n  prd: done\n',
      'docs/stories/story-1.1.md': v6Story('1.1', 'A', 'done'),
    });
    const snap = await scanBmadProject(root);
    expect(snap.errors).toEqual([expect.objectContaining({ file: 'docs/bmm-workflow-status.yaml', line: 3 })]);
    expect(snap.stories).toHaveLength(1);
  });
});
