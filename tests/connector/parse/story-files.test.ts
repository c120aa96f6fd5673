import { describe, expect, it } from 'vitest';
import { parseMarkdown, parseSprintStatus } from '../../../src/server/connector/bmad/parse/index.js';
import { planningComplete } from '../../../src/server/connector/bmad/parse/planning.js';

describe('story file parsing', () => {
  it('v6 story: title from "# Story N.M: Title", Status: line 3, tasks from the Tasks section, agent model', () => {
    const text = [
      '# Story 2.3: Mark Task Complete',
      '',
      'Status: review',
      '',
      '## Story',
      '',
      '## Acceptance Criteria',
      '',
      '- [ ] not a task (acceptance criteria checkbox)',
      '',
      '## Tasks / Subtasks',
      '',
      '- [x] Task 1 (AC: #1)',
      '  - [x] Subtask 1.1',
      '  - [ ] Subtask 1.2',
      '* [X] Task 2',
      '- [ ] Task 3',
      '',
      '```md',
      '- [x] inside a code block',
      '```',
      '',
      '## Dev Notes',
      '',
      '- [x] not a task either',
      '',
      '## Dev Agent Record',
      '',
      '### Agent Model Used',
      '',
      '<!-- filled in by the dev agent -->',
      'claude-opus-4-1-20250805',
      '',
      '### Completion Notes List',
    ].join('\n');
    const md = parseMarkdown(text);
    expect(md.h1).toEqual({ text: 'Story 2.3: Mark Task Complete', line: 1 });
    expect(md.status).toMatchObject({ value: 'review', line: 3, form: 'line' });
    expect(text.slice(md.status!.start, md.status!.end)).toBe('review');
    expect(md.tasks).toEqual({ done: 3, total: 5 });
    expect(md.agentModel).toBe('claude-opus-4-1-20250805');
  });

  it('v4 story: the value on the first non-empty line after ## Status', () => {
    const text = '# Story 1.1: Setup\r\n\r\n## Status\r\n\r\n**Ready for Review**\r\n\r\n## Story\r\n';
    const md = parseMarkdown(text);
    expect(md.status).toMatchObject({ value: 'Ready for Review', line: 5, form: 'heading' });
    expect(text.slice(md.status!.start, md.status!.end)).toBe('Ready for Review');
  });

  it('**Status:** value, ## Status: value, and front matter status (which wins)', () => {
    expect(parseMarkdown('# T\n\n**Status:** In Progress\n').status).toMatchObject({ value: 'In Progress', line: 3 });
    expect(parseMarkdown('# T\n\n**Status**: Done\n').status).toMatchObject({ value: 'Done', line: 3 });
    expect(parseMarkdown('# T\n\n- **Status:** done <!-- set by dev -->\n').status).toMatchObject({ value: 'done' });
    expect(parseMarkdown('# T\n\n## Status: Approved\n').status).toMatchObject({ value: 'Approved', line: 3, form: 'heading' });
    const fm = parseMarkdown("---\ntitle: X\nstatus: 'in-review'\n---\n\n# X\n\nStatus: done\n");
    expect(fm.status).toMatchObject({ value: 'in-review', line: 3, form: 'front-matter', yamlType: 'QUOTE_SINGLE' });
  });

  it('a "Status:" line inside the body (e.g. an HTTP status in acceptance criteria) is not the story status', () => {
    const md = parseMarkdown('# Story 1.1: Health\n\n## Acceptance Criteria\n\nStatus: 200 OK is returned\n');
    expect(md.status).toBeNull();
  });

  it('no agent model when the section only holds the template placeholder', () => {
    expect(parseMarkdown('# T\n\n### Agent Model Used\n\n{{agent_model_name_version}}\n\n### Debug Log\n').agentModel).toBeNull();
  });

  it('epic and story headings (v6 "## Epic 1: Title", v4 "## Epic 1 Title", "### Story 1.2: Title")', () => {
    const md = parseMarkdown(
      '# Epics\n\n## Epic List\n\n## Epic 1: Accounts\n\n### Story 1.2: Sign In\n\n## Epic 2 Billing & Plans\n\n### Story 2.1a: Hotfix\n',
    );
    expect(md.epicHeadings.map((h) => [h.key, h.title])).toEqual([
      ['1', 'Accounts'],
      ['2', 'Billing & Plans'],
    ]);
    expect(md.storyHeadings.map((h) => [h.epic, h.story, h.suffix, h.title])).toEqual([
      ['1', '2', '', 'Sign In'],
      ['2', '1', 'a', 'Hotfix'],
    ]);
  });
});

describe('sprint-status.yaml parsing', () => {
  it('keeps file order, lines and BMAD key grammar (epic, retrospective, story)', () => {
    const s = parseSprintStatus(
      '# c\ndevelopment_status:\n  epic-1: in-progress\n  1-1-a: done # x\n  1-2b-hotfix: "review"\n  epic-1-retrospective: optional\n',
    );
    expect(s.error).toBeNull();
    expect(s.entries.map((e) => [e.key, e.value, e.line, e.ref.kind])).toEqual([
      ['epic-1', 'in-progress', 3, 'epic'],
      ['1-1-a', 'done', 4, 'story'],
      ['1-2b-hotfix', 'review', 5, 'story'],
      ['epic-1-retrospective', 'optional', 6, 'retrospective'],
    ]);
  });

  it('a file without development_status is an error', () => {
    expect(parseSprintStatus('project: x\n').error).toMatchObject({ line: 1 });
  });
});

describe('planning workflow completion', () => {
  it.each([
    ['create-prd', null, null, true],
    ['create-prd', { stepsCompleted: [] }, [], false],
    ['create-prd', {}, ['step-01-init', 'step-12-complete'], true],
    ['create-prd', {}, ['step-01-init', 'step-02-discovery'], false],
    ['create-architecture', {}, ['1', '2', '3', '4', '5', '6', '7', '8'], true],
    ['create-architecture', {}, ['1', '2', '3'], false],
    ['create-architecture', { status: 'complete' }, ['1', '2', '3'], true],
    ['create-epics-and-stories', { workflow_completed: true }, ['1'], true],
    ['create-epics-and-stories', {}, ['step-01-validate-prerequisites', 'step-04-final-validation'], true],
    ['create-ux-design', { completedAt: '2025-05-01' }, ['1'], true],
  ] as const)('%s %j steps=%j -> %s', (workflow, fm, steps, expected) => {
    expect(planningComplete(workflow, fm as Record<string, unknown> | null, steps ? [...steps] : null)).toBe(expected);
  });
});
