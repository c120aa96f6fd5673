import { describe, expect, it } from 'vitest';
import type { BmadLayout } from '../../../src/server/connector/bmad/model.js';
import { columnForStatus, mapStoryStatus, scanBmadProject } from '../../../src/server/connector/bmad/parse/index.js';
import { makeProject, removeProject, V6_CONFIG } from './fixtures.js';

// [value as written, layout, expected column, expected canonical status, known BMAD value]
const TABLE: Array<[string, BmadLayout, string, string, boolean]> = [
  // v6 values
  ['backlog', 'v6', 'backlog', 'queued', true],
  ['ready-for-dev', 'v6', 'ready-for-dev', 'queued', true],
  ['in-progress', 'v6', 'in-progress', 'in_progress', true],
  ['review', 'v6', 'review', 'in_progress', true],
  ['done', 'v6', 'done', 'done', true],
  // v6 legacy and v6.7 spec values
  ['drafted', 'v6', 'ready-for-dev', 'queued', true],
  ['in-review', 'v6', 'review', 'in_progress', true],
  ['draft', 'v6', 'backlog', 'queued', true],
  // alpha.0 values (v6 alpha layouts)
  ['Draft', 'v6-alpha-bmad', 'backlog', 'queued', true],
  ['ContextReadyDraft', 'v6-alpha-bmad', 'ready-for-dev', 'queued', true],
  ['Approved', 'v6-alpha-bmad', 'ready-for-dev', 'queued', true],
  ['InProgress', 'v6-alpha-bmad', 'in-progress', 'in_progress', true],
  ['Ready for Review', 'v6-alpha-bmad', 'review', 'in_progress', true],
  ['Done', 'v6-alpha-bmad', 'done', 'done', true],
  ['drafted', 'v6-alpha-dotbmad', 'ready-for-dev', 'queued', true],
  // v4 template values
  ['Draft', 'v4', 'Draft', 'queued', true],
  ['Approved', 'v4', 'Approved', 'queued', true],
  ['InProgress', 'v4', 'InProgress', 'in_progress', true],
  ['Review', 'v4', 'Review', 'in_progress', true],
  ['Done', 'v4', 'Done', 'done', true],
  // v4 values seen in practice
  ['Ready for Review', 'v4', 'Review', 'in_progress', true],
  ['Ready for Done', 'v4', 'Review', 'in_progress', true],
  ['Changes Required', 'v4', 'InProgress', 'in_progress', true],
  // case, spaces, underscores, decoration
  ['IN-PROGRESS', 'v6', 'in-progress', 'in_progress', true],
  ['in progress', 'v6', 'in-progress', 'in_progress', true],
  ['in_progress', 'v6', 'in-progress', 'in_progress', true],
  ['Ready_For_Dev', 'v6', 'ready-for-dev', 'queued', true],
  ['**Done**', 'v4', 'Done', 'done', true],
  ['`review`', 'v6', 'review', 'in_progress', true],
  ['ready for review', 'v4', 'Review', 'in_progress', true],
  ['in-progress', 'v4', 'InProgress', 'in_progress', true],
  // unknown values keep their own column
  ['awaiting-operator', 'v6', 'awaiting-operator', 'queued', false],
  ['Waiting For QA', 'v4', 'Waiting For QA', 'queued', false],
  // not BMAD values, but the canonical vocabulary has them
  ['blocked', 'v6', 'blocked', 'blocked', false],
  ['Cancelled', 'v4', 'Cancelled', 'canceled', false],
];

describe('BMAD status values onto columns and the canonical vocabulary', () => {
  it.each(TABLE)('%s (%s) -> column %s, %s', (value, layout, column, status, known) => {
    expect(mapStoryStatus(value, layout)).toMatchObject({ column, status, known });
  });

  it('a scanned project keeps every story whatever its status, and reports each unknown value with file and line', async () => {
    const values = TABLE.filter(([, layout]) => layout === 'v6').map(([v]) => v);
    const lines = values.map((v, i) => `  1-${i + 1}-story-${i + 1}: "${v.replace(/"/g, '')}"`);
    const root = await makeProject({
      '_bmad/bmm/config.yaml': V6_CONFIG,
      '_bmad-output/implementation-artifacts/sprint-status.yaml': `development_status:\n  epic-1: in-progress\n${lines.join('\n')}\n`,
    });
    try {
      const snap = await scanBmadProject(root);
      expect(snap.stories).toHaveLength(values.length);
      const unknown = snap.findings.filter((f) => f.kind === 'unknown_status');
      const expectedUnknown = TABLE.filter(([, layout, , , known]) => layout === 'v6' && !known).map(([v]) => v);
      expect(unknown.map((f) => f.actual)).toEqual(expectedUnknown);
      for (const f of unknown) {
        expect(f.file).toBe('_bmad-output/implementation-artifacts/sprint-status.yaml');
        expect(f.line).toBe(values.indexOf(f.actual!) + 3);
      }
      const awaiting = snap.stories.find((s) => s.sourceStatus === 'awaiting-operator');
      expect(awaiting).toMatchObject({ column: 'awaiting-operator', status: 'queued' });
    } finally {
      await removeProject(root);
    }
  });
});

describe('unknown values in story files (no sprint-status.yaml)', () => {
  it('keep their own column, map to queued, and are reported at the status line of the file', async () => {
    const root = await makeProject({
      '.bmad-core/core-config.yaml': 'devStoryLocation: docs/stories\n',
      'docs/stories/1.1.story.md': '# Story 1.1: Setup\n\n## Status\n\nWaiting For QA\n',
      'docs/stories/1.2.story.md': '# Story 1.2: Login\n\n## Status\n\nDone\n',
    });
    try {
      const snap = await scanBmadProject(root);
      expect(snap.stories.map((s) => [s.key, s.column, s.status])).toEqual([
        ['1.1', 'Waiting For QA', 'queued'],
        ['1.2', 'Done', 'done'],
      ]);
      expect(snap.findings).toEqual([
        expect.objectContaining({ kind: 'unknown_status', file: 'docs/stories/1.1.story.md', line: 5, storyKey: '1.1', actual: 'Waiting For QA' }),
      ]);
    } finally {
      await removeProject(root);
    }
  });
});

describe('columnForStatus: the BMAD column to write for a canonical status', () => {
  it.each([
    ['v6', 'queued', 'in-progress', 'backlog'],
    ['v6', 'queued', 'ready-for-dev', 'ready-for-dev'],
    ['v6', 'queued', 'backlog', 'backlog'],
    ['v6', 'queued', null, 'backlog'],
    ['v6', 'in_progress', 'backlog', 'in-progress'],
    ['v6', 'in_progress', 'review', 'review'],
    ['v6', 'done', 'review', 'done'],
    ['v6', 'done', 'awaiting-operator', 'done'],
    ['v4', 'queued', 'InProgress', 'Draft'],
    ['v4', 'queued', 'Approved', 'Approved'],
    ['v4', 'in_progress', 'Draft', 'InProgress'],
    ['v4', 'in_progress', 'Review', 'Review'],
    ['v4', 'done', 'Review', 'Done'],
    ['v6-alpha-bmad', 'in_progress', 'Draft', 'in-progress'],
  ] as const)('%s: %s from %s -> %s', (layout, status, current, expected) => {
    expect(columnForStatus(layout, status, current)).toBe(expected);
  });

  it.each(['blocked', 'canceled', 'failed'] as const)('%s: BMAD has no such story status, refuse (null)', (status) => {
    expect(columnForStatus('v6', status, 'in-progress')).toBeNull();
    expect(columnForStatus('v4', status, 'InProgress')).toBeNull();
  });
});
