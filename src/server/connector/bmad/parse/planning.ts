import { posix } from 'node:path';

/** Planning documents BMAD's phase 1-3 workflows write, and the workflow each one is the output of. */
export type PlanningKind = 'product-brief' | 'prd' | 'prd-validation' | 'ux-design' | 'architecture' | 'epics' | 'readiness-report';

export const WORKFLOW_BY_KIND: Readonly<Record<PlanningKind, string>> = {
  'product-brief': 'create-product-brief',
  prd: 'create-prd',
  'prd-validation': 'validate-prd',
  'ux-design': 'create-ux-design',
  architecture: 'create-architecture',
  epics: 'create-epics-and-stories',
  'readiness-report': 'check-implementation-readiness',
};

/** The alpha bmm-workflow-status ids, onto the workflow names used above. */
export const WORKFLOW_ALIASES: Readonly<Record<string, string>> = {
  'product-brief': 'create-product-brief',
  brief: 'create-product-brief',
  prd: 'create-prd',
  'create-prd': 'create-prd',
  'validate-prd': 'validate-prd',
  'create-design': 'create-ux-design',
  'ux-design': 'create-ux-design',
  'create-ux-design': 'create-ux-design',
  architecture: 'create-architecture',
  'create-architecture': 'create-architecture',
  'create-epics-and-stories': 'create-epics-and-stories',
  'epics-and-stories': 'create-epics-and-stories',
  'solutioning-gate-check': 'check-implementation-readiness',
  'implementation-readiness': 'check-implementation-readiness',
  'check-implementation-readiness': 'check-implementation-readiness',
};

/** Highest step number of each workflow's step files in BMAD v6 (numeric `stepsCompleted` reaching it = finished). */
const FINAL_STEP: Readonly<Record<string, number>> = {
  'create-product-brief': 6,
  'create-prd': 12,
  'validate-prd': 13,
  'create-ux-design': 14,
  'create-architecture': 8,
  'create-epics-and-stories': 4,
  'check-implementation-readiness': 6,
};

const NAME_PATTERNS: ReadonlyArray<[RegExp, PlanningKind]> = [
  [/^implementation-readiness|readiness-report/, 'readiness-report'],
  [/^(?:prd-)?validation-report|^prd-validation/, 'prd-validation'],
  [/^(?:product-brief|project-brief|brief)(?:$|[-_.\s])/, 'product-brief'],
  [/^prd(?:$|[-_.\s])/, 'prd'],
  [/^architecture(?:$|[-_.\s])/, 'architecture'],
  [/^(?:ux-design|ux-spec|front-?end-spec)/, 'ux-design'],
  [/^epics(?:$|[-_.\s])/, 'epics'],
];

const FOLDER_PATTERNS: ReadonlyArray<[RegExp, PlanningKind]> = [
  [/^prds?(?:$|[-_.])/, 'prd'],
  [/^architecture/, 'architecture'],
  [/^epics$/, 'epics'],
  [/^(?:ux-design|ux)(?:$|[-_.])/, 'ux-design'],
  [/^(?:product-brief|briefs?)(?:$|[-_.])/, 'product-brief'],
];

export interface PlanningClass {
  kind: PlanningKind;
  /** The document that stands for the workflow run (not a shard of a sharded document). */
  primary: boolean;
}

/** Classifies a markdown file by its name and folders (path relative to a planning or docs folder). */
export function classifyPlanningPath(relInFolder: string): PlanningClass | null {
  if (!/\.md$/i.test(relInFolder)) return null;
  const base = posix.basename(relInFolder).replace(/\.md$/i, '').toLowerCase();
  const folders = posix
    .dirname(relInFolder)
    .split('/')
    .filter((p) => p !== '.' && p !== '')
    .map((p) => p.toLowerCase());
  for (const [re, kind] of NAME_PATTERNS) if (re.test(base)) return { kind, primary: true };
  // v6.11 UX run folders: DESIGN.md holds the run's status (EXPERIENCE.md is its companion).
  if (base === 'design' && folders.some((f) => /^ux(?:-|$)/.test(f))) return { kind: 'ux-design', primary: true };
  for (let i = folders.length - 1; i >= 0; i -= 1) {
    for (const [re, kind] of FOLDER_PATTERNS) {
      if (re.test(folders[i]!)) return { kind, primary: base === 'index' && i === folders.length - 1 };
    }
  }
  return null;
}

function stepNumber(step: string): number | null {
  const m = /(\d+)/.exec(step);
  return m ? Number(m[1]) : null;
}

export function stepsCompletedOf(frontMatter: Record<string, unknown> | null): string[] | null {
  if (!frontMatter || !('stepsCompleted' in frontMatter)) return null;
  const raw = frontMatter['stepsCompleted'];
  if (Array.isArray(raw)) return raw.map((s) => String(s));
  if (typeof raw === 'string')
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  if (typeof raw === 'number') return [String(raw)];
  return [];
}

const DONE_VALUE = /^(?:complete|completed|done|final|finished|approved)/i;
/** A front-matter status that says the document is still being written (v6.7+ run folders start as draft). */
const OPEN_VALUE = /^(?:draft|in[-_ ]?progress|in[-_ ]?review|wip|pending|started)/i;

/**
 * Whether a planning workflow looks finished: an explicit completion mark in the front matter (status/workflowStatus
 * complete, workflow_completed, completedAt), or a final step in `stepsCompleted` (a "...-complete"/"...-final-..."
 * step, or the workflow's last step number); with no step tracking at all, the file existing is enough.
 */
export function planningComplete(workflow: string, frontMatter: Record<string, unknown> | null, steps: string[] | null): boolean {
  if (frontMatter) {
    for (const key of ['status', 'workflowStatus', 'workflow_status']) {
      const v = frontMatter[key];
      if (typeof v === 'string' && DONE_VALUE.test(v.trim())) return true;
    }
    if (frontMatter['workflow_completed'] === true || frontMatter['workflowCompleted'] === true) return true;
    if (frontMatter['completedAt'] || frontMatter['completed_at']) return true;
    for (const key of ['status', 'workflowStatus', 'workflow_status']) {
      const v = frontMatter[key];
      if (typeof v === 'string' && OPEN_VALUE.test(v.trim())) return false;
    }
  }
  if (steps === null) return true;
  if (steps.length === 0) return false;
  if (steps.some((s) => /complete|final/i.test(s))) return true;
  const final = FINAL_STEP[workflow];
  if (final === undefined) return false;
  const max = Math.max(...steps.map((s) => stepNumber(s) ?? 0));
  return max >= final;
}
