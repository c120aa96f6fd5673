import { createHash } from 'node:crypto';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scanBmadProject } from '../../../src/server/connector/bmad/parse/index.js';
import { makeProject, removeProject, v6Files } from './fixtures.js';

const roots: string[] = [];
afterEach(async () => {
  await Promise.all(roots.splice(0).map(removeProject));
});

const sha = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('documents', () => {
  it('registers every file under the artifact folders and docs/ with title, MIME type, size, checksum and kind', async () => {
    const big = Buffer.alloc(9 * 1024 * 1024, 7); // above the in-memory parse limit: checksummed by streaming
    const files = {
      ...v6Files(),
      '_bmad-output/planning-artifacts/prd.md': '---\nstepsCompleted: [1]\n---\n\n# Todo PRD\n',
      '_bmad-output/planning-artifacts/notes.txt': 'plain notes\n',
      '_bmad-output/planning-artifacts/data.json': '{"a":1}\n',
      '_bmad-output/planning-artifacts/diagram.png': Buffer.from([0x89, 0x50, 0x4e, 0x47]),
      '_bmad-output/planning-artifacts/blob.bin': Buffer.from([1, 2, 3]),
      '_bmad-output/planning-artifacts/recording.mp4': big,
      '_bmad-output/implementation-artifacts/epic-1-retro-2025-06-01.md': '# Epic 1 Retrospective\n',
      'docs/guide.md': 'No heading, just text.\n',
      'docs/.hidden.md': '# hidden\n',
      'docs/.obsidian/workspace.json': '{}',
      'docs/node_modules/pkg/readme.md': '# no\n',
      'src/app.ts': 'export {};\n',
    };
    const root = await makeProject(files);
    roots.push(root);
    await symlink('/etc/hostname', join(root, 'docs', 'escape.md')).catch(() => undefined);
    const snap = await scanBmadProject(root);
    const byPath = new Map(snap.documents.map((d) => [d.path, d]));
    expect([...byPath.keys()]).toEqual([
      '_bmad-output/implementation-artifacts/1-1-user-authentication.md',
      '_bmad-output/implementation-artifacts/1-2-account-management.md',
      '_bmad-output/implementation-artifacts/epic-1-retro-2025-06-01.md',
      '_bmad-output/implementation-artifacts/sprint-status.yaml',
      '_bmad-output/planning-artifacts/blob.bin',
      '_bmad-output/planning-artifacts/data.json',
      '_bmad-output/planning-artifacts/diagram.png',
      '_bmad-output/planning-artifacts/epics.md',
      '_bmad-output/planning-artifacts/notes.txt',
      '_bmad-output/planning-artifacts/prd.md',
      '_bmad-output/planning-artifacts/recording.mp4',
      'docs/guide.md',
    ]);
    expect(byPath.get('_bmad-output/planning-artifacts/prd.md')).toMatchObject({ title: 'Todo PRD', mimeType: 'text/markdown', kind: 'prd', storyKey: null });
    expect(byPath.get('_bmad-output/planning-artifacts/notes.txt')).toMatchObject({
      mimeType: 'text/plain',
      title: 'notes.txt',
      sizeBytes: 12,
      checksum: sha('plain notes\n'),
    });
    expect(byPath.get('_bmad-output/planning-artifacts/data.json')?.mimeType).toBe('application/json');
    expect(byPath.get('_bmad-output/planning-artifacts/diagram.png')?.mimeType).toBe('image/png');
    expect(byPath.get('_bmad-output/planning-artifacts/blob.bin')?.mimeType).toBe('application/octet-stream');
    expect(byPath.get('_bmad-output/implementation-artifacts/sprint-status.yaml')).toMatchObject({ mimeType: 'application/yaml', kind: 'sprint-status' });
    expect(byPath.get('_bmad-output/implementation-artifacts/1-2-account-management.md')).toMatchObject({
      kind: 'story',
      storyKey: '1-2-account-management',
      title: 'Story 1.2: Account Management',
    });
    expect(byPath.get('_bmad-output/implementation-artifacts/epic-1-retro-2025-06-01.md')?.kind).toBe('retrospective');
    expect(byPath.get('docs/guide.md')).toMatchObject({ title: 'guide.md', kind: 'other' });
    const video = byPath.get('_bmad-output/planning-artifacts/recording.mp4')!;
    expect(video).toMatchObject({ sizeBytes: big.length, checksum: sha(big), mimeType: 'video/mp4' });
    for (const d of snap.documents) {
      expect(d.path.startsWith('/') || d.path.includes('..')).toBe(false);
      expect(d.checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(d.mtimeMs).toBeGreaterThan(0);
    }
  });

  it('stories only listed in sprint-status.yaml appear with their title from epics.md, else from the key', async () => {
    const root = await makeProject(v6Files());
    roots.push(root);
    const snap = await scanBmadProject(root);
    expect(snap.stories.find((s) => s.key === '2-1-personality-system')).toMatchObject({
      file: null,
      title: 'Personality System Deluxe',
      epicKey: '2',
      column: 'backlog',
      status: 'queued',
      tasksDone: null,
      agentModel: null,
    });
    const sprintMtime = snap.documents.find((d) => d.kind === 'sprint-status')!.mtimeMs;
    expect(snap.stories.find((s) => s.key === '2-1-personality-system')!.mtimeMs).toBe(sprintMtime);
    expect(snap.epics.map(({ key, title, sourceStatus }) => ({ key, title, sourceStatus }))).toEqual([
      { key: '1', title: 'Accounts', sourceStatus: 'in-progress' },
      { key: '2', title: 'Personality', sourceStatus: 'backlog' },
    ]);
    const s11 = snap.stories.find((s) => s.key === '1-1-user-authentication')!;
    expect(s11).toMatchObject({ tasksDone: 2, tasksTotal: 3, agentModel: 'claude-sonnet-4-5-20250929', epicKey: '1' });
  });
});
