import { mkdtemp, mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach } from 'vitest';

/** A throwaway project folder: `files` maps relative paths to contents. */
export async function makeProject(files: Record<string, string | Buffer>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'bmad-parse-'));
  await writeFiles(root, files);
  return root;
}

export async function writeFiles(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const abs = join(root, ...rel.split('/'));
    await mkdir(dirname(abs), { recursive: true });
    await writeFile(abs, content);
  }
}

/** Rewrites a file and moves its mtime forward, so a cache keyed on (mtimeMs, size) sees the change even within one clock tick. */
export async function touchWrite(root: string, rel: string, content: string, bumpSeconds = 5): Promise<void> {
  await writeFiles(root, { [rel]: content });
  const t = new Date(Date.now() + bumpSeconds * 1000);
  await utimes(join(root, ...rel.split('/')), t, t);
}

/** For a test file: makes temp projects on demand and removes them after each test. */
export function tempProjects(): (files: Record<string, string | Buffer>) => Promise<string> {
  const roots: string[] = [];
  afterEach(async () => {
    await Promise.all(roots.splice(0).map(removeProject));
  });
  return async (files) => {
    const root = await makeProject(files);
    roots.push(root);
    return root;
  };
}

export async function removeProject(root: string): Promise<void> {
  await rm(root, { recursive: true, force: true });
}

export const V6_CONFIG = [
  '# BMM Module Configuration',
  'project_name: Todo App',
  'planning_artifacts: "{project-root}/_bmad-output/planning-artifacts"',
  'implementation_artifacts: "{project-root}/_bmad-output/implementation-artifacts"',
  'project_knowledge: "{project-root}/docs"',
  'output_folder: "{project-root}/_bmad-output"',
  'user_name: Alex',
  '',
].join('\n');

export function v6Story(num: string, title: string, status: string, extra = ''): string {
  return [
    `# Story ${num}: ${title}`,
    '',
    `Status: ${status}`,
    '',
    '## Story',
    '',
    'As a user, I want things, so that stuff.',
    '',
    '## Acceptance Criteria',
    '',
    '1. It works.',
    '',
    '## Tasks / Subtasks',
    '',
    '- [x] Task 1 (AC: #1)',
    '  - [x] Subtask 1.1',
    '- [ ] Task 2',
    '',
    '## Dev Agent Record',
    '',
    '### Agent Model Used',
    '',
    'claude-sonnet-4-5-20250929',
    '',
    '### Completion Notes List',
    '',
    '### File List',
    extra,
  ].join('\n');
}

export function v4Story(num: string, title: string, status: string): string {
  return [
    `# Story ${num}: ${title}`,
    '',
    '## Status',
    '',
    status,
    '',
    '## Story',
    '',
    '**As a** user, **I want** x, **so that** y',
    '',
    '## Tasks / Subtasks',
    '',
    '- [x] Task 1',
    '- [ ] Task 2',
    '',
    '## Dev Agent Record',
    '',
    '### Agent Model Used',
    '',
    'Claude Sonnet 4',
    '',
  ].join('\n');
}

export const SPRINT_STATUS = [
  '# generated: 2025-06-05',
  '# project: Todo App',
  '',
  'generated: 2025-06-05',
  'project: Todo App',
  'tracking_system: file-system',
  '',
  'development_status:',
  '  # Epic 1',
  '  epic-1: in-progress',
  '  1-1-user-authentication: done',
  '  1-2-account-management: review   # inline comments are common',
  '  epic-1-retrospective: optional',
  '',
  '  epic-2: backlog',
  '  2-1-personality-system: backlog',
  '  epic-2-retrospective: optional',
  '',
].join('\n');

/** A minimal v6 project: config, sprint-status, two story files, an epics file. */
export function v6Files(): Record<string, string> {
  return {
    '_bmad/bmm/config.yaml': V6_CONFIG,
    '_bmad-output/implementation-artifacts/sprint-status.yaml': SPRINT_STATUS,
    '_bmad-output/implementation-artifacts/1-1-user-authentication.md': v6Story('1.1', 'User Authentication', 'done'),
    '_bmad-output/implementation-artifacts/1-2-account-management.md': v6Story('1.2', 'Account Management', 'review'),
    '_bmad-output/planning-artifacts/epics.md':
      '# Epics\n\n## Epic 1: Accounts\n\n### Story 1.1: User Authentication\n\n## Epic 2: Personality\n\n### Story 2.1: Personality System Deluxe\n',
  };
}
