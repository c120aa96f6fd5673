import { describe, expect, it } from 'vitest';
import { scanBmadProject } from '../../../src/server/connector/bmad/parse/index.js';
import { personasFor } from '../../../src/server/connector/bmad/history/personas.js';
import { ids } from '../../../src/server/connector/bmad/to-events.js';
import { tempProjects } from './fixtures.js';

const IMPL = '_bmad-output/implementation-artifacts';
const PLAN = '_bmad-output/planning-artifacts';
const project = tempProjects();

const spec = (fm: Record<string, string | string[]>, body = '') =>
  `---\n${Object.entries(fm)
    .map(([k, v]) => (Array.isArray(v) ? `${k}:\n${v.map((x) => `  - ${x}`).join('\n')}` : `${k}: ${v}`))
    .join('\n')}\n---\n\n# ${fm.title ?? 'Spec'}\n\n## Intent\n\nx\n${body}`;

describe('BMAD v6.11 / v6.12 projects', () => {
  it('config: TOML layers merge over each other (config.toml → config.user.toml → custom/), before bmm/config.yaml', async () => {
    const root = await project({
      '_bmad/config.toml':
        '[core]\nproject_name = "From Toml"\noutput_folder = "{project-root}/out"\n\n[modules.bmm]\nimplementation_artifacts = "{project-root}/out/impl"\n',
      '_bmad/config.user.toml': '[core]\nuser_name = "Alex"\n',
      '_bmad/custom/config.toml': '[core]\nproject_name = "Team Name"\n',
      '_bmad/bmm/config.yaml': 'project_name: From Yaml\nplanning_artifacts: "{project-root}/out/plan"\n',
      'out/impl/sprint-status.yaml': 'development_status:\n  epic-1: in-progress\n  1-1-a: done\n',
      'out/plan/prd.md': '---\nstatus: final\n---\n# PRD\n',
    });
    const snap = await scanBmadProject(root);
    expect(snap.projectName).toBe('Team Name');
    expect(snap.sprintStatusFile).toBe('out/impl/sprint-status.yaml');
    // planning_artifacts only in the YAML: the fallback still applies.
    expect(snap.planning.map((p) => [p.workflow, p.file, p.complete])).toEqual([['create-prd', 'out/plan/prd.md', true]]);
    expect(snap.stories.map((s) => [s.key, s.column])).toEqual([['1-1-a', 'done']]);
  });

  it('a TOML layer that does not parse is an error with its line; the other layers still count', async () => {
    const root = await project({
      '_bmad/config.toml': '[core]\nproject_name = "Ok"\n',
      '_bmad/custom/config.toml': '[core]\nproject_name = \n',
      '_bmad-output/implementation-artifacts/sprint-status.yaml': 'development_status:\n  1-1-a: backlog\n',
    });
    const snap = await scanBmadProject(root);
    expect(snap.projectName).toBe('Ok');
    expect(snap.errors).toEqual([expect.objectContaining({ kind: 'parse_error', file: '_bmad/custom/config.toml', line: 2 })]);
  });

  it('Build specs: front-matter status, deferred items and baseline commit; a spec is a record of the story its tracking id names', async () => {
    const root = await project({
      '_bmad/bmm/config.yaml': 'project_name: Digest\n',
      [`${IMPL}/sprint-status.yaml`]: 'development_status:\n  epic-3: in-progress\n  3-2-digest-delivery: review\n  3-3-unsubscribe: in-progress\n',
      [`${IMPL}/spec-3-2-weekly-digest-delivery.md`]: spec({
        title: 'Weekly digest delivery',
        type: 'feature',
        status: 'done',
        baseline_commit: 'abc1234',
        deferred: ['{summary: "Retry cap for the mailer", severity: medium}'],
      }),
      [`${IMPL}/spec-3-3-unsubscribe.md`]: spec(
        { title: 'Unsubscribe', status: 'blocked' },
        '\n## Auto Run Result\n\nStatus: halted\nBlocking condition: needs a product decision\n',
      ),
      [`${IMPL}/spec-gh-47-dark-mode.md`]: spec({ title: 'Dark mode', status: 'in-review' }),
    });
    const snap = await scanBmadProject(root);
    const byKey = Object.fromEntries(snap.stories.map((s) => [s.key, s]));
    // Build finished (spec done) while code review is pending (sprint review): agreement, not drift.
    expect(byKey['3-2-digest-delivery']).toMatchObject({ column: 'review', status: 'in_progress', baselineCommit: 'abc1234', title: 'Weekly digest delivery' });
    expect(byKey['3-2-digest-delivery']!.records.map((r) => [r.kind, r.value])).toEqual([
      ['sprint-status', 'review'],
      ['spec', 'done'],
    ]);
    expect(byKey['3-2-digest-delivery']!.deferred).toEqual([
      { summary: 'Retry cap for the mailer', severity: 'medium', file: null, origin: 'deferred by spec-3-2-weekly-digest-delivery.md' },
    ]);
    // Build Auto halted: blocked, although sprint-status (which Build Auto never touches) still says in-progress.
    expect(byKey['3-3-unsubscribe']).toMatchObject({ column: 'blocked', status: 'blocked', sourceStatus: 'blocked' });
    // An untracked spec is a story of its own; `in-review` is BMAD's review.
    expect(byKey['spec-gh-47-dark-mode']).toMatchObject({ column: 'review', status: 'in_progress' });
    expect(snap.findings.filter((f) => f.kind === 'status_drift')).toEqual([]);
    expect(snap.findings.filter((f) => f.kind === 'unknown_status')).toEqual([]);
  });

  it('reconciliation: one drift finding names every record of the story and its value', async () => {
    const root = await project({
      '_bmad/bmm/config.yaml': 'project_name: Drift\n',
      [`${IMPL}/sprint-status.yaml`]: 'development_status:\n  epic-1: in-progress\n  1-1-login: done\n',
      [`${IMPL}/1-1-login.md`]: '# Story 1.1: Login\n\nStatus: review\n',
      [`${IMPL}/spec-1-1-login.md`]: spec({ title: 'Login', status: 'in-progress' }),
    });
    const snap = await scanBmadProject(root);
    const drift = snap.findings.filter((f) => f.kind === 'status_drift');
    expect(drift).toHaveLength(1);
    expect(drift[0]!.message).toBe(
      'Story 1-1-login: sprint-status.yaml says "done", 1-1-login.md says "review", spec-1-1-login.md says "in-progress" (the board follows sprint-status.yaml)',
    );
    expect(drift[0]).toMatchObject({ storyKey: '1-1-login', expected: 'done', actual: 'review', file: `${IMPL}/1-1-login.md`, line: 3 });
  });

  it('an epic or a retrospective marked done while stories of the epic are not is a finding (BMAD-METHOD #2341, #2852)', async () => {
    const root = await project({
      '_bmad/bmm/config.yaml': 'project_name: Epics\n',
      [`${IMPL}/sprint-status.yaml`]:
        'development_status:\n  epic-1: done\n  1-1-a: done\n  1-2-b: review\n  epic-1-retrospective: done\n  epic-2: in-progress\n  2-1-c: done\n',
      [`${IMPL}/epic-1-retro-2026-05-01.md`]: '---\nepic: 1\nverdict: rejected\n---\n# Retro\n',
    });
    const snap = await scanBmadProject(root);
    expect(snap.findings.filter((f) => f.kind === 'epic_drift').map((f) => [f.line, f.message])).toEqual([
      [2, 'Epic 1 is marked done but 1 of its stories is not: 1-2-b (review)'],
      [5, 'The retrospective of epic 1 is done but 1 of its stories is not: 1-2-b (review)'],
    ]);
    expect(snap.epics.map((e) => [e.key, e.status, e.sourceStatus, e.retrospective?.status, e.retrospective?.verdict])).toEqual([
      ['1', 'done', 'done', 'done', 'rejected'],
      ['2', 'in_progress', 'in-progress', undefined, undefined],
    ]);
  });

  it('action items, the readiness gate, deferred work, and dated planning runs (the current one, older ones as earlier versions)', async () => {
    const root = await project({
      '_bmad/bmm/config.yaml': 'project_name: Notes\n',
      [`${IMPL}/sprint-status.yaml`]: [
        'development_status:',
        '  epic-1: in-progress',
        '  1-1-a: in-progress',
        'action_items:',
        '  - {id: "epic-1-retro-item-1-checklist", epic: 1, action: "Add error handling to the review checklist", owner: "Charlie", status: open, ref: "epic-1-retro-2026-05-01.md"}',
        '  - epic: D',
        '    action: "Renumber the migration notes"',
        '    owner: Dana',
        '    status: done',
        '    priority: high',
        '',
      ].join('\n'),
      [`${IMPL}/deferred-work.md`]:
        '# Deferred work\n\n## Deferred from: code review of 1-1-a.md (2026-05-03)\n\n- Cache the token lookup\n- source_spec: `spec-1-1-a.md`\n  summary: Add a retry cap for the resume loop\n  severity: low\n\n## Deferred from: live-sidecar image pull fix\n\n- Pin the image digest\n',
      [`${PLAN}/implementation-readiness.md`]: '# Implementation readiness\n\n## Gate\n\n**FAIL** — two epics have no acceptance criteria\n',
      [`${PLAN}/prds/prd-notes-2026-04-01/prd.md`]: '---\ntitle: Notes PRD\nstatus: final\nupdated: 2026-04-02\n---\n# Notes PRD\n',
      [`${PLAN}/prds/prd-notes-2026-05-10/prd.md`]: '---\ntitle: Notes PRD v2\nstatus: draft\nupdated: 2026-05-11\n---\n# Notes PRD v2\n',
      [`${PLAN}/prds/prd-notes-2026-05-10/addendum.md`]: '# Addendum\n',
    });
    const snap = await scanBmadProject(root);
    expect(snap.actionItems).toEqual([
      {
        id: 'epic-1-retro-item-1-checklist',
        epic: '1',
        action: 'Add error handling to the review checklist',
        owner: 'Charlie',
        status: 'open',
        ref: 'epic-1-retro-2026-05-01.md',
      },
      { id: null, epic: 'D', action: 'Renumber the migration notes', owner: 'Dana', status: 'done', ref: null },
    ]);
    expect(snap.readiness).toMatchObject({ gate: 'FAIL', file: `${PLAN}/implementation-readiness.md` });
    expect(snap.deferredWork.map((d) => [d.summary, d.severity, d.origin])).toEqual([
      ['Cache the token lookup', null, 'code review of 1-1-a.md (2026-05-03)'],
      ['Add a retry cap for the resume loop', 'low', 'code review of 1-1-a.md (2026-05-03)'],
      ['Pin the image digest', null, 'live-sidecar image pull fix'],
    ]);
    // The draft run is in progress and current; the final one is its earlier version.
    expect(snap.planning.map((p) => [p.workflow, p.file, p.complete])).toEqual([
      ['check-implementation-readiness', `${PLAN}/implementation-readiness.md`, true],
      ['create-prd', `${PLAN}/prds/prd-notes-2026-05-10/prd.md`, false],
    ]);
    expect(snap.documents.find((d) => d.path === `${PLAN}/prds/prd-notes-2026-04-01/prd.md`)!.supersededBy).toBe(`${PLAN}/prds/prd-notes-2026-05-10/prd.md`);
    expect(snap.documents.find((d) => d.path === `${PLAN}/prds/prd-notes-2026-05-10/addendum.md`)!.supersededBy).toBeNull();
  });

  it('code-review findings appended to a story are counted: open, resolved, deferred, decisions', async () => {
    const root = await project({
      '_bmad/bmm/config.yaml': 'project_name: Review\n',
      [`${IMPL}/sprint-status.yaml`]: 'development_status:\n  1-1-a: review\n',
      [`${IMPL}/1-1-a.md`]: [
        '# Story 1.1: A',
        '',
        'Status: review',
        '',
        '## Tasks / Subtasks',
        '',
        '- [x] Task 1',
        '',
        '### Review Findings',
        '',
        '- [ ] [Review][Patch] Missing null check [src/a.ts:10]',
        '- [x] [Review][Patch] Typo in message',
        '- [x] [Review][Defer] Refactor the mapper',
        '- [ ] [Review][Decision] Keep the legacy endpoint?',
        '- [ ] [Review][Dismiss] Not a bug',
        '- [ ] [AI-Review][High] Race in the cache [src/c.ts:3]',
        '',
        '```',
        '- [ ] [Review][Patch] in a code block: not a finding',
        '```',
      ].join('\n'),
    });
    const snap = await scanBmadProject(root);
    expect(snap.stories[0]!.reviewFindings).toEqual({ open: 2, resolved: 2, deferred: 1, decisions: 1 });
  });

  it('bmad-spec: SPEC.md with stories.yaml is an epic whose stories take their progress from stories/<id>-<slug>.md', async () => {
    const root = await project({
      '_bmad/config.toml': '[core]\nproject_name = "Specced"\n',
      '_bmad-output/specs/spec-billing/SPEC.md': '---\nid: SPEC-billing\ncompanions: []\nsources: []\n---\n# Billing\n\n## Why\n',
      '_bmad-output/specs/spec-billing/stories.yaml': '- id: "1"\n  title: Invoices\n- id: "2"\n  title: Refunds\n',
      '_bmad-output/specs/spec-billing/stories/1-invoices.md': spec({ title: 'Invoices', status: 'done' }),
      '_bmad-output/specs/spec-notes/SPEC.md': '---\nid: SPEC-notes\n---\n# Notes\n',
    });
    const snap = await scanBmadProject(root);
    expect(snap.stories.map((s) => [s.key, s.epicKey, s.title, s.column])).toEqual([
      ['spec-billing-1', 'spec-billing', 'Invoices', 'done'],
      ['spec-billing-2', 'spec-billing', 'Refunds', 'backlog'],
    ]);
    expect(snap.epics.find((e) => e.key === 'spec-billing')).toMatchObject({ title: 'Billing', status: 'in_progress' });
    // A spec without stories.yaml is a document only.
    expect(snap.documents.find((d) => d.path === '_bmad-output/specs/spec-notes/SPEC.md')!.kind).toBe('spec');
  });

  it('agents by BMAD version: Bob and Quinn until 6.3, Amelia after; v4 has James; 6.11 develops with Build', () => {
    const old = personasFor('v6', '6.0.1');
    expect([old.create.name, old.dev.name, old.review.name, old.names.dev]).toEqual([
      'Bob (Scrum Master)',
      'Amelia (Developer)',
      'Amelia (Developer)',
      'dev-story',
    ]);
    const mid = personasFor('v6', '6.5.0');
    expect([mid.create.name, mid.names.dev]).toEqual(['Amelia (Developer)', 'dev-story']);
    const now = personasFor('v6', '6.12.0');
    expect([now.create.name, now.names.dev, now.all.map((a) => a.type)]).toEqual([
      'Amelia (Developer)',
      'build',
      ['analyst', 'pm', 'architect', 'ux-designer', 'dev'],
    ]);
    const v4 = personasFor('v4', null);
    expect([v4.create.name, v4.dev.name, v4.review.name]).toEqual(['Bob (Scrum Master)', 'James (Full Stack Developer)', 'Quinn (QA)']);
  });
});

describe('the unreleased initiative / ticket tree', () => {
  const tree = (): Record<string, string> => ({
    '_bmad/config.toml': '[core]\nproject_name = "Tickets"\n',
    '_bmad-output/initiative-launch/initiative-launch.md': '---\ntype: initiative\ntitle: Launch\n---\n# Launch\n',
    '_bmad-output/initiative-launch/tickets.toml':
      '[[epic]]\nid = 2\nslug = "payments"\ntitle = "Payments"\n\n[[epic]]\nid = 1\nslug = "accounts"\ntitle = "Accounts"\nafter = [{ epic = 2, needs = "billing ids" }]\n',
    '_bmad-output/initiative-launch/epic-accounts/epic-accounts.md': '---\ntype: epic\nstatus: in-progress\n---\n# Accounts\n',
    '_bmad-output/initiative-launch/epic-accounts/tickets.toml': [
      '[[entry]]\nid = 3\ntype = "story"\ntitle = "Sign up"\nv6_key = "1-1-sign-up"',
      '[[entry]]\nid = 1\ntype = "story"\ntitle = "Log in"\nafter = [3]',
      '[[entry]]\nid = 2\ntype = "spike"\ntitle = "Passkeys"\nafter = ["2.1"]',
      '[[entry]]\nid = 4\ntype = "story"\ntitle = "Profile"',
      '[[entry]]\nid = 5\ntype = "bug"\ntitle = "Old flow"',
      '[[entry]]\nid = 6\ntype = "story"\ntitle = "Delete account"',
    ].join('\n\n'),
    '_bmad-output/initiative-launch/epic-accounts/story-sign-up-plan.md': "---\nticket: '3'\ntype: feature\nstatus: built\nassignee: Dana\n---\n# Plan\n",
    '_bmad-output/initiative-launch/epic-accounts/story-log-in-plan.md': '---\nticket: 1\nstatus: blocked\nblocked_reason: waiting for keys\n---\n# Plan\n',
    '_bmad-output/initiative-launch/epic-accounts/spike-passkeys.md': '---\nid: 2\ntype: spike\ntitle: Passkeys\n---\n# Passkeys\n',
    '_bmad-output/initiative-launch/epic-accounts/bug-old-flow-plan.md': '---\nticket: 5\nstatus: dropped\n---\n# Plan\n',
    '_bmad-output/initiative-launch/epic-accounts/story-delete-plan.md': '---\nticket: 6\nstatus: waiting-for-legal\n---\n# Plan\n',
    '_bmad-output/initiative-launch/epic-payments/tickets.toml': '[[entry]]\nid = 1\ntype = "story"\ntitle = "Checkout"\n',
    '_bmad-output/initiative-launch/epic-payments/story-checkout-plan.md': '---\nticket: 1\nstatus: done\n---\n# Plan\n',
    '_bmad-output/initiative-launch/epic-payments/epic-payments-retrospective.md': '---\nverdict: accepted-with-open-items\n---\n# Retro\n',
    '_bmad-output/initiative-launch/archive-v6/sprint-status.yaml': 'development_status:\n  1-1-sign-up: review\n',
    '_bmad-output/backlog/bug-typo.md': '---\ntype: bug\ntitle: Typo on the landing page\n---\n# Typo\n',
    '_bmad-output/backlog/bug-typo-plan.md': '---\nticket: bug-typo\nstatus: in-progress\n---\n# Plan\n',
  });

  it("stories come from tickets.toml in build order, with BMAD's board states from each plan's status", async () => {
    const snap = await scanBmadProject(await project(tree()));
    expect(snap.layout).toBe('v6-tickets');
    expect(snap.columns).toEqual(['planned', 'backlog', 'in-progress', 'review', 'done', 'dropped']);
    // Epics in the initiative's build order (payments before accounts), entries in their epic's build order.
    expect(snap.stories.map((s) => [s.key, s.epicKey, s.title, s.column, s.status])).toEqual([
      ['2-1-checkout', '2', 'Checkout', 'done', 'done'],
      ['1-1-sign-up', '1', 'Sign up', 'review', 'in_progress'],
      ['1-1-log-in', '1', 'Log in', 'in-progress', 'blocked'],
      ['1-2-passkeys', '1', 'Passkeys', 'backlog', 'queued'],
      ['1-4-profile', '1', 'Profile', 'planned', 'queued'],
      ['1-5-old-flow', '1', 'Old flow', 'dropped', 'canceled'],
      ['1-6-delete-account', '1', 'Delete account', 'in-progress', 'blocked'],
      ['backlog-bug-typo', null, 'Typo on the landing page', 'in-progress', 'in_progress'],
    ]);
    const signUp = snap.stories.find((s) => s.key === '1-1-sign-up')!;
    expect(signUp.assignee).toBe('Dana');
    expect(signUp.records.map((r) => [r.kind, r.value])).toEqual([
      ['tickets', null],
      ['plan', 'built'],
    ]);
    // An unknown plan status blocks its ticket, and says so.
    expect(snap.findings).toEqual([expect.objectContaining({ kind: 'unknown_status', storyKey: '1-6-delete-account', actual: 'waiting-for-legal' })]);
    expect(snap.epics.map((e) => [e.key, e.title, e.status, e.retrospective?.verdict ?? null])).toEqual([
      ['2', 'Payments', 'done', 'accepted-with-open-items'],
      ['1', 'Accounts', 'in_progress', null],
    ]);
    // The archived sprint-status.yaml of the migration is a document, not the board.
    expect(snap.sprintStatusFile).toBeNull();
  });
});

describe('real projects: patterns seen in public BMAD repositories', () => {
  it('a project that keeps _bmad/ out of git is recognised from its outputs, with a note; a folder with neither is one clear refusal', async () => {
    const root = await project({
      [`${IMPL}/sprint-status.yaml`]: 'development_status:\n  epic-1: in-progress\n  1-1-a: done\n',
      [`${IMPL}/1-1-a.md`]: '# Story 1.1: A\n\nStatus: done\n',
    });
    const snap = await scanBmadProject(root);
    expect(snap.layout).toBe('v6');
    expect(snap.notes).toEqual(["no _bmad/ configuration found (it is often kept out of git): BMAD's default paths are used"]);
    expect(snap.stories).toHaveLength(1);
    const empty = await project({ 'README.md': '# nothing here\n' });
    await expect(scanBmadProject(empty)).rejects.toThrow(/^No BMAD project found in .*: expected .*_bmad-output/);
  });

  it('a decision document beside its story (not in sprint-status, no BMAD status) is a document of that story, not a card', async () => {
    const root = await project({
      '_bmad/bmm/config.yaml': 'project_name: Docvet\n',
      [`${IMPL}/sprint-status.yaml`]: 'development_status:\n  epic-32: in-progress\n  32-1-fix-feasibility-spike: done\n  32-2-implement-fix: backlog\n',
      [`${IMPL}/32-1-spike-decision.md`]: '# Story 32.1: Fix Feasibility Spike — Decision Document\n\n**Status**: GO — proceed to Story 32.2\n',
    });
    const snap = await scanBmadProject(root);
    expect(snap.stories.map((s) => [s.key, s.column])).toEqual([
      ['32-1-fix-feasibility-spike', 'done'],
      ['32-2-implement-fix', 'backlog'],
    ]);
    expect(snap.documents.find((d) => d.path.endsWith('32-1-spike-decision.md'))).toMatchObject({ kind: 'decision', storyKey: '32-1-fix-feasibility-spike' });
    expect(snap.findings).toEqual([]);
  });

  it('story keys: truncated sprint keys match their files, a renumbered old file is not matched by number, sub-items stay apart', async () => {
    const long = '4-2-make-the-long-running-import-resumable-after-a-network-dro';
    const root = await project({
      '_bmad/bmm/config.yaml': 'project_name: Keys\n',
      [`${IMPL}/sprint-status.yaml`]: `development_status:\n  ${long}: review\n  1-10-tenants-projection-and-event-consumer-adoption: backlog\n  10-1-pdf-contracts: done\n  10-1-3-orders-list-sidebar: in-progress\n  post-epic-1-fix-timeouts: review\n`,
      [`${IMPL}/${long}p.md`]: '# Story 4.2: Resumable import\n\nStatus: review\n',
      [`${IMPL}/1-10-coordinated-read-model-batch-writes.md`]: '# Story 1.10: Coordinated read model batch writes\n\nStatus: done\n',
      [`${IMPL}/10-1-3-orders-list-sidebar.md`]: '# Story 10.1.3: Orders list sidebar\n\nStatus: in-progress\n',
    });
    const snap = await scanBmadProject(root);
    const file = (key: string) => snap.stories.find((s) => s.key === key)?.file ?? null;
    expect(file(long)).toBe(`${IMPL}/${long}p.md`);
    expect(file('1-10-tenants-projection-and-event-consumer-adoption')).toBeNull();
    expect(file('10-1-3-orders-list-sidebar')).toBe(`${IMPL}/10-1-3-orders-list-sidebar.md`);
    // The old file of a renumbered story stays visible as its own (untracked) story, never as drift.
    expect(snap.stories.find((s) => s.key === '1-10-coordinated-read-model-batch-writes')).toMatchObject({ column: 'done' });
    expect(snap.stories.find((s) => s.key === 'post-epic-1-fix-timeouts')).toMatchObject({ column: 'review', epicKey: null });
    expect(snap.findings.filter((f) => f.kind === 'status_drift')).toEqual([]);
  });

  it('a spec-named file with no heading and no status is a document, not an error; a story file with no title is an error with its line', async () => {
    const root = await project({
      '_bmad/bmm/config.yaml': 'project_name: Untitled\n',
      [`${IMPL}/spec-run-tests-and-fix-failures.md`]: 'Run the tests and fix what fails.\n',
      [`${IMPL}/1-1-a.md`]: 'Status: done\n',
    });
    const snap = await scanBmadProject(root);
    expect(snap.stories.map((s) => s.key)).toEqual([]);
    expect(snap.documents.find((d) => d.path === `${IMPL}/spec-run-tests-and-fix-failures.md`)).toMatchObject({ kind: 'story-note' });
    expect(snap.errors).toEqual([expect.objectContaining({ kind: 'parse_error', file: `${IMPL}/1-1-a.md`, line: 1 })]);
  });

  it('ids stay within 128 characters for the longest real story keys, stable and distinct', () => {
    const long = '4-13-validate-canonical-lifecycle-through-replay-projection-sentinel-path-security-encoding-isolation-and-capacity-tests';
    const a = ids.story('folders', long);
    const b = ids.story('folders', `${long}-2`);
    expect(a.length).toBeLessThanOrEqual(128);
    expect(a).toBe(ids.story('folders', long));
    expect(a).not.toBe(b);
    expect(a.startsWith('bmad:folders:story:4-13-validate-canonical-lifecycle')).toBe(true);
    expect(ids.story('folders', '1-1-a')).toBe('bmad:folders:story:1-1-a');
  });

  it('status lines as real files write them: bold labels, backticks, explanations after a dash or in parentheses', async () => {
    const root = await project({
      '_bmad/bmm/config.yaml': 'project_name: Lines\n',
      [`${IMPL}/1-1-a.md`]: '# Story 1.1: A\n\n**Status** : done — ACs 2–6 complete and review-approved\n',
      [`${IMPL}/1-2-b.md`]: '# Story 1.2: B\n\n**Status:** `done` (administrative close, no new code)\n',
      [`${IMPL}/1-3-c.md`]: '# Story 1.3: C\n\nStatus: in_progress (v3 — deployed, smoke pending)\n',
      [`${IMPL}/1-4-d.md`]: '# Story 1.4: D\n\nStatus: complete\n',
    });
    const snap = await scanBmadProject(root);
    expect(snap.stories.map((s) => [s.key, s.column])).toEqual([
      ['1-1-a', 'done'],
      ['1-2-b', 'done'],
      ['1-3-c', 'in-progress'],
      ['1-4-d', 'done'],
    ]);
  });

  it('sprint-status.yaml that names another story folder (story_location) is followed', async () => {
    const root = await project({
      '_bmad/bmm/config.yaml': 'project_name: Etch\nimplementation_artifacts: "{project-root}/_bmad-output/implementation-artifacts"\n',
      [`${IMPL}/sprint-status.yaml`]: 'story_location: docs/sprint-artifacts\ndevelopment_status:\n  epic-1: contexted\n  1-1-overlay: done\n',
      'docs/sprint-artifacts/1-1-overlay.md': '# Story 1.1: Overlay\n\nStatus: done\n',
    });
    const snap = await scanBmadProject(root);
    expect(snap.stories).toEqual([expect.objectContaining({ key: '1-1-overlay', file: 'docs/sprint-artifacts/1-1-overlay.md', column: 'done' })]);
    expect(snap.epics[0]).toMatchObject({ key: '1', status: 'in_progress', sourceStatus: 'contexted' });
  });

  it('a sprint-status.yaml that is not valid YAML (committed conflict markers) still gives the lines that read as key: status', async () => {
    const root = await project({
      '_bmad/bmm/config.yaml': 'project_name: Conflict\n',
      [`${IMPL}/sprint-status.yaml`]:
        'last_updated: 2031-01-10 (pass 2: all green)\ndevelopment_status:\n  epic-1: in-progress\n  1-1-a: done\n<<<<<<< Updated upstream\n  1-2-b: review\n=======\n  1-2-b: in-progress\n>>>>>>> Stashed changes\n',
    });
    const snap = await scanBmadProject(root);
    expect(snap.errors).toEqual([expect.objectContaining({ kind: 'parse_error', file: `${IMPL}/sprint-status.yaml` })]);
    expect(snap.stories.map((s) => [s.key, s.column])).toEqual([['1-1-a', 'done']]);
  });
});
