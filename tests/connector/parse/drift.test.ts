import { afterEach, describe, expect, it } from 'vitest';
import { ParseCache, scanBmadProject } from '../../../src/server/connector/bmad/parse/index.js';
import { makeProject, removeProject, SPRINT_STATUS, touchWrite, v6Files, v6Story } from './fixtures.js';

const SPRINT = '_bmad-output/implementation-artifacts/sprint-status.yaml';
const STORY = '_bmad-output/implementation-artifacts/1-2-account-management.md';

const roots: string[] = [];
afterEach(async () => {
  await Promise.all(roots.splice(0).map(removeProject));
});

describe('drift between story files and sprint-status.yaml', () => {
  it('is found (file, status line, expected = sprint value, actual = file value), sprint-status wins, then cleared', async () => {
    const root = await makeProject({ ...v6Files(), [STORY]: v6Story('1.2', 'Account Management', 'in-progress') });
    roots.push(root);
    const cache = new ParseCache();
    const drifted = await scanBmadProject(root, { cache });
    expect(drifted.findings).toEqual([
      expect.objectContaining({ kind: 'status_drift', file: STORY, line: 3, storyKey: '1-2-account-management', expected: 'review', actual: 'in-progress' }),
    ]);
    // The board follows sprint-status.yaml.
    expect(drifted.stories.find((s) => s.key === '1-2-account-management')).toMatchObject({ sourceStatus: 'review', column: 'review' });

    // Fixing the story file clears it.
    await touchWrite(root, STORY, v6Story('1.2', 'Account Management', 'review'));
    const fixed = await scanBmadProject(root, { cache });
    expect(fixed.findings).toEqual([]);

    // Drift the other way (sprint-status moves on), then fix sprint-status instead.
    await touchWrite(root, SPRINT, SPRINT_STATUS.replace('1-2-account-management: review', '1-2-account-management: done'), 10);
    const again = await scanBmadProject(root, { cache });
    expect(again.findings).toEqual([expect.objectContaining({ kind: 'status_drift', expected: 'done', actual: 'review' })]);
    await touchWrite(root, SPRINT, SPRINT_STATUS, 15);
    expect((await scanBmadProject(root, { cache })).findings).toEqual([]);
  });

  it('compares normalised values: legacy names, case and spacing are not drift', async () => {
    const root = await makeProject({
      ...v6Files(),
      [SPRINT]: 'development_status:\n  epic-1: in-progress\n  1-1-user-authentication: drafted\n  1-2-account-management: in-progress\n',
      '_bmad-output/implementation-artifacts/1-1-user-authentication.md': v6Story('1.1', 'User Authentication', 'Ready For Dev'),
      [STORY]: v6Story('1.2', 'Account Management', 'In Progress'),
    });
    roots.push(root);
    const snap = await scanBmadProject(root);
    expect(snap.findings).toEqual([]);
  });

  it('finds drift for ## Status blocks, **Status:** lines and front matter, each at its own line', async () => {
    const root = await makeProject({
      ...v6Files(),
      [SPRINT]: 'development_status:\n  epic-1: in-progress\n  1-1-user-authentication: done\n  1-2-account-management: review\n  1-3-billing: done\n',
      '_bmad-output/implementation-artifacts/1-1-user-authentication.md': '# Story 1.1: User Authentication\n\n## Status\n\nInProgress\n',
      [STORY]: '# Story 1.2: Account Management\n\n**Status:** backlog\n',
      '_bmad-output/implementation-artifacts/1-3-billing.md': '---\nstatus: in-progress\n---\n\n# Story 1.3: Billing\n',
    });
    roots.push(root);
    const snap = await scanBmadProject(root);
    expect(snap.findings.map((f) => [f.storyKey, f.line, f.expected, f.actual])).toEqual([
      ['1-1-user-authentication', 5, 'done', 'InProgress'],
      ['1-2-account-management', 3, 'review', 'backlog'],
      ['1-3-billing', 2, 'done', 'in-progress'],
    ]);
  });

  it('a story file whose slug differs from its sprint key is matched by its numbers and still checked', async () => {
    const root = await makeProject({
      ...v6Files(),
      [STORY]: v6Story('1.2', 'Account Management', 'done'),
    });
    roots.push(root);
    // rename the file: 1-2-account-mgmt.md
    const { rename } = await import('node:fs/promises');
    await rename(`${root}/${STORY}`, `${root}/_bmad-output/implementation-artifacts/1-2-account-mgmt.md`);
    const snap = await scanBmadProject(root);
    expect(snap.stories.filter((s) => s.key.startsWith('1-2'))).toEqual([
      expect.objectContaining({ key: '1-2-account-management', file: '_bmad-output/implementation-artifacts/1-2-account-mgmt.md' }),
    ]);
    expect(snap.findings).toEqual([expect.objectContaining({ kind: 'status_drift', storyKey: '1-2-account-management', expected: 'review', actual: 'done' })]);
    expect(snap.documents.find((d) => d.path.endsWith('1-2-account-mgmt.md'))).toMatchObject({ kind: 'story', storyKey: '1-2-account-management' });
  });
});
