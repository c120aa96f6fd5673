import type { Status } from '../../../contracts/index.js';
import type { ProjectPaths } from './parse/config.js';

/** Which generation of BMAD wrote the project (see ../shared/reference/bmad-formats.md, section 1). */
export type BmadLayout = 'v4' | 'v6-alpha-bmad' | 'v6-alpha-dotbmad' | 'v6' | 'v6-tickets';

/** A problem in one file, located precisely enough for a person to fix it. Paths are relative to the project root. */
export interface BmadIssue {
  kind: 'parse_error' | 'unknown_status' | 'status_drift' | 'epic_drift';
  file: string;
  line: number | null;
  message: string;
  storyKey?: string | undefined;
  /** For drift: what the source of truth says (sprint-status.yaml, or the plan file) and what the other record says. */
  expected?: string | undefined;
  actual?: string | undefined;
}

/** One place a story's status is written, with the value written there. */
export interface StoryRecordRef {
  kind: 'sprint-status' | 'story-file' | 'spec' | 'plan' | 'tickets';
  file: string;
  line: number | null;
  value: string | null;
}

export interface ReviewFindingCounts {
  open: number;
  resolved: number;
  deferred: number;
  decisions: number;
}

export interface DeferredItemRef {
  summary: string;
  severity: string | null;
  file: string | null;
  origin: string | null;
}

export interface ActionItemRef {
  id: string | null;
  epic: string | null;
  action: string;
  owner: string | null;
  status: string | null;
  ref: string | null;
}

export interface BmadEpic {
  /** "1", "2", ... (a slug in the ticket layout, `spec-<slug>` for a bmad-spec folder) */
  key: string;
  title: string | null;
  /** The epic's own status value as written (v6 sprint-status: backlog | in-progress | done), if any. */
  sourceStatus: string | null;
  /** Its canonical status: from its own value when written, else from its stories. */
  status: Status;
  /** Where its status is written (sprint-status.yaml and its line, or the epic file). */
  file: string | null;
  line: number | null;
  retrospective: { status: string | null; verdict: 'accepted' | 'accepted-with-open-items' | 'rejected' | null; file: string | null } | null;
}

export interface BmadStory {
  /** BMAD's story key: v6 "1-2-user-registration", v4 "1.2". Stable across re-imports. */
  key: string;
  epicKey: string | null;
  title: string;
  /** The story file, relative to the project root, forward slashes; null when only sprint-status.yaml knows it. */
  file: string | null;
  /** The BMAD status value exactly as written (source of truth: sprint-status.yaml when present, else the file). */
  sourceStatus: string | null;
  /** BMAD's own column for the board (v6: backlog, ready-for-dev, in-progress, review, done; v4: Draft, Approved, InProgress, Review, Done; unknown values: themselves). */
  column: string;
  /** The canonical status it maps to at this boundary. */
  status: Status;
  tasksDone: number | null;
  tasksTotal: number | null;
  agentModel: string | null;
  /** File modification time (ms), for occurredAt; sprint-status.yaml's when the file is absent. */
  mtimeMs: number;
  /** Every record of its status (sprint-status.yaml, story file, Build spec, plan), with the value in each. */
  records: StoryRecordRef[];
  reviewFindings: ReviewFindingCounts | null;
  deferred: DeferredItemRef[];
  baselineCommit: string | null;
  assignee: string | null;
}

/** A planning workflow inferred from its artifact (product brief, PRD, architecture, epics, readiness check, ...). */
export interface BmadPlanningArtifact {
  workflow: string;
  file: string;
  title: string;
  /** Front matter `stepsCompleted`, when present. */
  stepsCompleted: string[] | null;
  /** Whether the workflow looks finished (all steps, or no step tracking and the file exists). */
  complete: boolean;
  mtimeMs: number;
  /** Set when the entry comes from the alpha bmm-workflow-status.yaml: the value written there (a file path, required, optional, skipped, ...). */
  workflowStatus?: string | undefined;
}

export interface BmadDocument {
  /** Relative to the project root, forward slashes, never "..". */
  path: string;
  title: string;
  mimeType: string;
  sizeBytes: number;
  /** "sha256:<hex>" of the bytes. */
  checksum: string;
  /** prd, architecture, epics, ux-design, product-brief, readiness-report, story, qa-gate, sprint-status, other */
  kind: string;
  storyKey: string | null;
  mtimeMs: number;
  /** An earlier dated run of a planning document: the path of the current run's main file. */
  supersededBy?: string | null | undefined;
}

export interface BmadSnapshot {
  root: string;
  layout: BmadLayout;
  projectName: string;
  /** A stable id-safe key for the project (slug of the name, or of the folder). */
  projectKey: string;
  epics: BmadEpic[];
  stories: BmadStory[];
  planning: BmadPlanningArtifact[];
  documents: BmadDocument[];
  /** Drift between story files and sprint-status.yaml, unknown status values: the data is still usable. */
  findings: BmadIssue[];
  /** Files that could not be read (bad YAML, a story with no title): the last good data for them must be kept. */
  errors: BmadIssue[];
  /** Relative path of sprint-status.yaml, when the project has one. */
  sprintStatusFile: string | null;
  /** BMAD's board columns for this layout, in workflow order (unknown values add their own columns on the board). */
  columns?: string[] | undefined;
  /** Files (relative) the parser read and parsed for this snapshot; with a ParseCache, only the changed ones. */
  reparsedFiles?: string[] | undefined;
  /** Config files, sprint-status.yaml and the folders the connector should watch (relative). */
  watchPaths?: string[] | undefined;
  /** The BMAD version the project names (manifest, config header), when it names one. */
  version: string | null;
  actionItems: ActionItemRef[];
  readiness: { gate: 'PASS' | 'CONCERNS' | 'FAIL' | 'READY' | 'NEEDS WORK' | 'NOT READY'; file: string; mtimeMs: number } | null;
  deferredWork: DeferredItemRef[];
  /** Things a person should know that are not errors (no config found, how the history was read). */
  notes: string[];
  /** The folders whose git history holds the project's BMAD files (relative to the project root). */
  historyPaths: string[];
  /** Where the project keeps its artifacts (story folders as used, sprint-status candidates, …): what the history reads. */
  paths?: ProjectPaths | undefined;
}
