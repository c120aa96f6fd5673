import { createHash } from 'node:crypto';
import type { SeenIn, Status } from '../../../../contracts/index.js';
import type { Persona, PersonaMap } from './personas.js';
import type { CommitMeta } from './reader.js';
import type { TimelineEntry } from './timeline.js';

/** One status change of a workflow run, and the story change that caused it. */
export interface RunStep {
  at: string;
  from: Status | null;
  to: Status;
  key: string;
  seenIn: SeenIn;
  commit: CommitMeta | null;
  actorId: string | null;
  reason: string | null;
}

export interface RunSpec {
  /** Suffix of the workflow id: `dev-story`, then `dev-story:2` for the next attempt. */
  id: string;
  workflow: string;
  agent: Persona;
  steps: RunStep[];
}

type Stage = 'backlog' | 'ready' | 'dev' | 'review' | 'done' | 'blocked' | 'gone';
const RANK: Record<Stage, number> = { backlog: 0, ready: 1, dev: 2, review: 3, done: 4, blocked: 2, gone: -1 };

/** A story's stage from its BMAD column and canonical status (v6, v4 and ticket columns alike). */
export function stageOf(column: string | null, status: Status): Stage {
  if (status === 'canceled') return 'gone';
  if (status === 'blocked') return 'blocked';
  if (status === 'done') return 'done';
  const c = (column ?? '').toLowerCase().replace(/[^a-z]/g, '');
  if (c === 'review' || c === 'inreview' || c === 'readyforreview' || c === 'readyfordone' || c === 'built') return 'review';
  if (c === 'inprogress' || c === 'changesrequired' || status === 'in_progress') return 'dev';
  if (c === 'readyfordev' || c === 'approved' || c === 'drafted' || c === 'contextreadydraft') return 'ready';
  return 'backlog';
}

interface Active {
  spec: RunSpec;
  status: Status;
}

const stepKey = (runId: string, cause: string, to: Status) => `w${createHash('sha256').update(`${runId}\n${cause}\n${to}`).digest('hex').slice(0, 32)}`;

function runStep(e: TimelineEntry, run: RunSpec, from: Status | null, to: Status, reason: string | null): RunStep {
  return { at: e.at, from, to, key: stepKey(run.id, e.key, to), seenIn: e.seenIn, commit: e.commit, actorId: e.actorId, reason };
}

/** The runs found so far, numbered per workflow (a second dev-story is `dev-story:2`). */
class RunLog {
  readonly runs: RunSpec[] = [];
  private readonly attempts = new Map<string, number>();

  readonly open = (e: TimelineEntry, workflow: string, agent: Persona, status: Status, reason: string | null = null): Active => {
    const n = (this.attempts.get(workflow) ?? 0) + 1;
    this.attempts.set(workflow, n);
    const spec: RunSpec = { id: n === 1 ? workflow : `${workflow}:${n}`, workflow, agent, steps: [] };
    spec.steps.push(runStep(e, spec, null, status, reason));
    this.runs.push(spec);
    return { spec, status };
  };

  readonly move = (e: TimelineEntry, a: Active, to: Status, reason: string | null = null): void => {
    if (a.status === to) return;
    a.spec.steps.push(runStep(e, a.spec, a.status, to, reason));
    a.status = to;
  };

  readonly implied = (e: TimelineEntry, workflow: string, agent: Persona, why: string): Active => this.open(e, workflow, agent, 'done', `implied: ${why}`);
}

/**
 * The workflow runs a story's history implies: the story is created (create-story), developed (dev-story / build:
 * from entering in-progress to review), reviewed (code-review: from review to done, or back to in-progress: rework,
 * and a new development run starts). Blocked time is the run's. A move that skips stages (one commit took a story
 * from backlog to done) implies the skipped runs finished then, with no duration; a run is never invented before
 * the story reached it.
 */
export function storyRuns(timeline: readonly TimelineEntry[], personas: PersonaMap): RunSpec[] {
  const log = new RunLog();
  const { runs, open, move, implied } = log;
  let dev: Active | null = null;
  let review: Active | null = null;
  let created = false;
  let stage: Stage | null = null;
  const { names } = personas;

  for (const e of timeline) {
    const next = stageOf(e.column, e.status);
    if (next === stage) continue;
    const from = stage === null || stage === 'gone' ? -1 : RANK[stage];
    const to = RANK[next];
    const jump = (label: string) => `the story went from ${stage ?? 'nowhere'} to ${label} in one step`;
    if (!created && next !== 'gone' && next !== 'backlog') {
      created = true;
      if (next === 'ready') open(e, names.create, personas.create, 'done');
      else if (from < RANK.ready) implied(e, names.create, personas.create, jump(next));
    }
    switch (next) {
      case 'dev':
        if (review) {
          move(e, review, 'done', 'changes requested: the story went back to in-progress');
          review = null;
        }
        if (dev) move(e, dev, 'in_progress');
        else dev = open(e, names.dev, personas.dev, 'in_progress');
        break;
      case 'blocked':
        if (dev) move(e, dev, 'blocked', 'the story is blocked');
        else if (review) move(e, review, 'blocked', 'the story is blocked');
        else dev = open(e, names.dev, personas.dev, 'blocked', 'the story is blocked');
        break;
      case 'review':
        if (dev) {
          move(e, dev, 'done');
          dev = null;
        } else if (from < RANK.dev) implied(e, names.dev, personas.dev, jump('review'));
        if (review) move(e, review, 'in_progress');
        else review = open(e, names.review, personas.review, 'in_progress');
        break;
      case 'done':
        if (dev) {
          move(e, dev, 'done');
          dev = null;
        } else if (from < RANK.dev && from !== RANK.review) implied(e, names.dev, personas.dev, jump('done'));
        if (review) {
          move(e, review, 'done');
          review = null;
        } else if (from < RANK.review) implied(e, names.review, personas.review, jump('done'));
        break;
      case 'ready':
      case 'backlog':
      case 'gone':
        for (const a of [dev, review]) if (a) move(e, a, 'canceled', next === 'gone' ? 'the story was removed' : `the story went back to ${next}`);
        dev = null;
        review = null;
        break;
    }
    void to;
    stage = next;
  }
  return runs;
}
