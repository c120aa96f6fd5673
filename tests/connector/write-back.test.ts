import { mkdtemp, readdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ParseCache, scanBmadProject } from '../../src/server/connector/bmad/parse/index.js';
import { columnForStatus, replaceStoryFileStatus, writeBackStoryStatus, WriteBackError } from '../../src/server/connector/bmad/write-back.js';
import { makeProject, removeProject, v4Story, V6_CONFIG, v6Story } from './parse/fixtures.js';

const IMPL = '_bmad-output/implementation-artifacts';
const SPRINT = `${IMPL}/sprint-status.yaml`;
const STORY = `${IMPL}/1-2-account-management.md`;

/** A sprint-status.yaml the way people really leave it: comments everywhere, odd spacing, quoting, CRLF. */
const COMMENTED = [
  '# generated: 2025-06-05',
  '# project: Todo App',
  '#',
  '# STATUS DEFINITIONS: backlog -> ready-for-dev -> in-progress -> review -> done',
  '',
  'generated: 05-06-2025 21:30        # MM-DD-YYYY HH:MM',
  'project: Todo App',
  '',
  'development_status:',
  '  # Epic 1: Accounts',
  '  epic-1: in-progress',
  '  1-1-user-authentication: done',
  '  1-2-account-management:    review   # inline comments are common',
  "  1-3-password-reset: 'ready-for-dev'",
  '  1-4-sessions: "in-progress"   # quoted',
  '  epic-1-retrospective: optional',
  '',
  '',
  '  # Epic 2',
  '  epic-2: backlog',
  '  2-1-personality-system: backlog',
  '',
  'action_items:',
  '  - epic: 1',
  '    action: "Add error-handling review to the checklist"   # review, not done',
  '    status: open',
  '',
].join('\n');

const roots: string[] = [];
afterEach(async () => {
  await Promise.all(roots.splice(0).map(removeProject));
});

async function v6Project(sprint = COMMENTED, story = v6Story('1.2', 'Account Management', 'review')): Promise<string> {
  const root = await makeProject({
    '_bmad/bmm/config.yaml': V6_CONFIG,
    [SPRINT]: sprint,
    [STORY]: story,
    [`${IMPL}/1-3-password-reset.md`]: v6Story('1.3', 'Password Reset', 'ready-for-dev'),
    [`${IMPL}/1-4-sessions.md`]: v6Story('1.4', 'Sessions', 'in-progress'),
  });
  roots.push(root);
  return root;
}

const read = (root: string, rel: string): Promise<string> => readFile(join(root, ...rel.split('/')), 'utf8');

/** `before` with the one occurrence of `from` (located by a unique context) replaced by `to`. */
function replaceOnce(before: string, context: string, from: string, to: string): string {
  const at = before.indexOf(context);
  expect(at).toBeGreaterThanOrEqual(0);
  expect(before.indexOf(context, at + 1)).toBe(-1);
  const valueAt = before.indexOf(from, at);
  return before.slice(0, valueAt) + to + before.slice(valueAt + from.length);
}

describe('writeBackStoryStatus', () => {
  it('changes exactly the value bytes in a commented sprint-status.yaml and the Status: line of the story file', async () => {
    const root = await v6Project();
    const snap = await scanBmadProject(root);
    const sprintBefore = await read(root, SPRINT);
    const storyBefore = await read(root, STORY);

    const result = await writeBackStoryStatus(root, snap, '1-2-account-management', 'done');
    expect(result.changedFiles).toEqual([SPRINT, STORY]);

    expect(await read(root, SPRINT)).toBe(replaceOnce(sprintBefore, '1-2-account-management:    review', 'review', 'done'));
    expect(await read(root, STORY)).toBe(replaceOnce(storyBefore, 'Status: review', 'review', 'done'));

    const after = await scanBmadProject(root);
    expect(after.stories.find((s) => s.key === '1-2-account-management')).toMatchObject({ column: 'done', status: 'done' });
    expect(after.findings).toEqual([]);
  });

  it('keeps the quoting style of the old value (single and double quotes)', async () => {
    const root = await v6Project();
    const snap = await scanBmadProject(root);
    const before = await read(root, SPRINT);
    await writeBackStoryStatus(root, snap, '1-3-password-reset', 'in-progress');
    const mid = await read(root, SPRINT);
    expect(mid).toBe(replaceOnce(before, "1-3-password-reset: 'ready-for-dev'", "'ready-for-dev'", "'in-progress'"));
    await writeBackStoryStatus(root, await scanBmadProject(root), '1-4-sessions', 'review');
    expect(await read(root, SPRINT)).toBe(replaceOnce(mid, '1-4-sessions: "in-progress"', '"in-progress"', '"review"'));
  });

  it('preserves CRLF line endings and a UTF-8 BOM', async () => {
    const crlf = `\uFEFF${COMMENTED.replace(/\n/g, '\r\n')}`;
    const storyCrlf = v6Story('1.2', 'Account Management', 'review').replace(/\n/g, '\r\n');
    const root = await v6Project(crlf, storyCrlf);
    await writeFile(join(root, SPRINT), crlf);
    const snap = await scanBmadProject(root);
    await writeBackStoryStatus(root, snap, '1-2-account-management', 'in-progress');
    const sprint = await readFile(join(root, SPRINT));
    expect(sprint.toString('utf8')).toBe(replaceOnce(crlf, '1-2-account-management:    review', 'review', 'in-progress'));
    expect(sprint.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(await read(root, STORY)).toBe(replaceOnce(storyCrlf, 'Status: review', 'review', 'in-progress'));
  });

  it('is atomic: a temp file in the same folder, fsynced, renamed over the target; the target is never truncated', async () => {
    const root = await v6Project();
    const snap = await scanBmadProject(root);
    const sprintBefore = await read(root, SPRINT);
    const storyBefore = await read(root, STORY);
    const inodeBefore = (await stat(join(root, SPRINT))).ino;
    const seen: Array<{ tmp: string; target: string; tmpContent: string; targetContent: string }> = [];

    // A reader hammering the target while the write-back runs must only ever see a whole old or whole new file.
    let reading = true;
    const observed = new Set<string>();
    const reader = (async () => {
      while (reading) {
        observed.add(await read(root, SPRINT));
        await new Promise((r) => setImmediate(r));
      }
    })();

    await writeBackStoryStatus(root, snap, '1-2-account-management', 'in-progress', {
      beforeRename: async (tmp, target) => {
        seen.push({ tmp, target, tmpContent: await readFile(tmp, 'utf8'), targetContent: await readFile(target, 'utf8') });
        await new Promise((r) => setTimeout(r, 20));
      },
    });
    reading = false;
    await reader;

    const sprintAfter = await read(root, SPRINT);
    expect(seen).toHaveLength(2);
    const [sprintWrite, storyWrite] = seen;
    expect(sprintWrite!.target).toBe(join(root, SPRINT));
    expect(join(sprintWrite!.tmp, '..')).toBe(join(root, IMPL));
    expect(sprintWrite!.tmp).not.toBe(sprintWrite!.target);
    expect(sprintWrite!.tmpContent).toBe(sprintAfter);
    expect(sprintWrite!.targetContent).toBe(sprintBefore);
    expect(storyWrite!.targetContent).toBe(storyBefore);
    expect(storyWrite!.tmpContent).toBe(await read(root, STORY));

    expect([...observed].every((c) => c === sprintBefore || c === sprintAfter)).toBe(true);
    expect((await stat(join(root, SPRINT))).ino).not.toBe(inodeBefore);
    expect((await readdir(join(root, IMPL))).filter((n) => n.includes('.tmp-'))).toEqual([]);
    // The temp file is a dotfile: the scanner never registers it as a document.
    expect(sprintWrite!.tmp.split('/').pop()!.startsWith('.')).toBe(true);
  });

  it('a failed write leaves the target untouched and removes the temp file', async () => {
    const root = await v6Project();
    const snap = await scanBmadProject(root);
    const before = await read(root, SPRINT);
    await expect(
      writeBackStoryStatus(root, snap, '1-2-account-management', 'done', {
        beforeRename: () => {
          throw new Error('disk full');
        },
      }),
    ).rejects.toThrow('disk full');
    expect(await read(root, SPRINT)).toBe(before);
    expect((await readdir(join(root, IMPL))).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('v4: rewrites the value under ## Status, nothing else', async () => {
    const root = await makeProject({
      '.bmad-core/core-config.yaml': 'devStoryLocation: docs/stories\n',
      'docs/stories/1.1.story.md': v4Story('1.1', 'Setup', 'InProgress'),
    });
    roots.push(root);
    const before = await read(root, 'docs/stories/1.1.story.md');
    const snap = await scanBmadProject(root);
    const column = columnForStatus(snap.layout, 'done', 'InProgress');
    expect(column).toBe('Done');
    const result = await writeBackStoryStatus(root, snap, '1.1', column!);
    expect(result.changedFiles).toEqual(['docs/stories/1.1.story.md']);
    expect(await read(root, 'docs/stories/1.1.story.md')).toBe(replaceOnce(before, '## Status\n\nInProgress', 'InProgress', 'Done'));
    expect((await scanBmadProject(root)).stories[0]).toMatchObject({ column: 'Done', status: 'done' });
  });

  it('v6.7 spec file: front matter status (review is written in-review), quoting kept', async () => {
    const spec = `${IMPL}/spec-dark-mode.md`;
    const root = await makeProject({
      '_bmad/config.toml': 'project_name = "x"\n',
      [spec]: '---\ntitle: Dark mode\nstatus: "in-progress"  # set by bmad-build\n---\n\n# Dark mode\n',
    });
    roots.push(root);
    const before = await read(root, spec);
    const snap = await scanBmadProject(root);
    await writeBackStoryStatus(root, snap, 'spec-dark-mode', 'review');
    expect(await read(root, spec)).toBe(replaceOnce(before, 'status: "in-progress"', '"in-progress"', '"in-review"'));
    expect((await scanBmadProject(root)).stories[0]).toMatchObject({ column: 'review', sourceStatus: 'in-review' });
  });

  it('a story only in sprint-status.yaml: only sprint-status changes; a story already there: nothing is written', async () => {
    const root = await v6Project();
    const snap = await scanBmadProject(root);
    expect(await writeBackStoryStatus(root, snap, '2-1-personality-system', 'ready-for-dev')).toEqual({ changedFiles: [SPRINT] });
    const mtime = (await stat(join(root, SPRINT))).mtimeMs;
    expect(await writeBackStoryStatus(root, await scanBmadProject(root), '2-1-personality-system', 'ready-for-dev')).toEqual({ changedFiles: [] });
    expect((await stat(join(root, SPRINT))).mtimeMs).toBe(mtime);
  });

  it('fixes drift: the story file follows when the card moves', async () => {
    const root = await v6Project(COMMENTED, v6Story('1.2', 'Account Management', 'in-progress'));
    const cache = new ParseCache();
    const drifted = await scanBmadProject(root, { cache });
    expect(drifted.findings).toHaveLength(1);
    await writeBackStoryStatus(root, drifted, '1-2-account-management', 'done');
    const after = await scanBmadProject(root, { cache });
    expect(after.findings).toEqual([]);
    expect(after.reparsedFiles).toEqual([STORY, SPRINT]);
  });

  it('refuses unknown stories, unsafe values and a sprint-status.yaml that does not parse (without touching files)', async () => {
    const root = await v6Project();
    const snap = await scanBmadProject(root);
    await expect(writeBackStoryStatus(root, snap, 'nope', 'done')).rejects.toThrow(WriteBackError);
    for (const bad of ['done\n  evil: true', 'done # x', '', ' done', '"done"', 'a: b']) {
      await expect(writeBackStoryStatus(root, snap, '1-2-account-management', bad)).rejects.toThrow(WriteBackError);
    }
    await writeFile(join(root, SPRINT), `${COMMENTED}  broken: [\n`);
    const storyBefore = await read(root, STORY);
    await expect(writeBackStoryStatus(root, snap, '1-2-account-management', 'done')).rejects.toThrow(/does not parse/);
    expect(await read(root, STORY)).toBe(storyBefore);
  });

  it('keeps the file mode and refuses a file that is not valid UTF-8 (its bytes could not be kept)', async () => {
    const root = await v6Project();
    const { chmod } = await import('node:fs/promises');
    await chmod(join(root, SPRINT), 0o640);
    await writeBackStoryStatus(root, await scanBmadProject(root), '1-2-account-management', 'done');
    expect((await stat(join(root, SPRINT))).mode & 0o777).toBe(0o640);
    const latin1 = Buffer.concat([Buffer.from('# Story 1.2: Caf'), Buffer.from([0xe9]), Buffer.from('\n\nStatus: review\n')]);
    await writeFile(join(root, STORY), latin1);
    const sprintBefore = await read(root, SPRINT);
    await expect(writeBackStoryStatus(root, await scanBmadProject(root), '1-2-account-management', 'review')).rejects.toThrow(/UTF-8/);
    expect(await readFile(join(root, STORY))).toEqual(latin1);
    // Nothing is written when either file is refused: sprint-status.yaml still says done.
    expect(await read(root, SPRINT)).toBe(sprintBefore);
  });

  it('refuses to write through a symlinked folder that leads outside the project, and to a symlinked file', async () => {
    const root = await v6Project();
    const snap = await scanBmadProject(root);
    // The artifacts folder swapped for a symlink to a folder outside the project (with the same files in it).
    const outside = await mkdtemp(join(tmpdir(), 'bmad-ops-wb-outside-'));
    roots.push(outside);
    await rename(join(root, IMPL), join(outside, 'impl'));
    await symlink(join(outside, 'impl'), join(root, IMPL));
    const before = await read(outside, 'impl/sprint-status.yaml');
    await expect(writeBackStoryStatus(root, snap, '1-2-account-management', 'done')).rejects.toThrow(/leads outside the project/);
    expect(await read(outside, 'impl/sprint-status.yaml')).toBe(before);

    const other = await v6Project();
    const otherSnap = await scanBmadProject(other);
    const target = join(outside, 'elsewhere.md');
    await writeFile(target, await read(other, STORY));
    await rm(join(other, STORY));
    await symlink(target, join(other, STORY));
    await expect(writeBackStoryStatus(other, otherSnap, '1-2-account-management', 'done')).rejects.toThrow(/is a symlink/);
  });

  it('replaceStoryFileStatus leaves a file that already means the same value alone', () => {
    const text = '# Story 1.1: A\n\n## Status\n\nReady for Review\n';
    expect(replaceStoryFileStatus(text, 'Review')).toBe(text);
    expect(replaceStoryFileStatus('# T\n\nNo status here\n', 'done')).toBeNull();
  });
});
