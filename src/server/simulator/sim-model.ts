import type { EventType, Module, Status } from '../../contracts/index.js';

// The vocabulary of the simulated BMAD world: its board columns, agents, workflows and the state it tracks.

/** An event exactly as a connector posts it to POST /api/v1/events. */
export interface SimulatedEvent {
  id: string;
  source: string;
  type: EventType;
  occurredAt: string;
  entity: { type: string; id: string };
  projectId?: string;
  storyId?: string;
  correlationId?: string;
  payload: Record<string, unknown>;
}

/** BMAD's sprint-status columns, in board order, and the canonical status each one maps to. */
export const BMAD_COLUMNS = ['backlog', 'ready-for-dev', 'in-progress', 'review', 'done'] as const;
export type BmadColumn = (typeof BMAD_COLUMNS)[number];
export const COLUMN_STATUS: Readonly<Record<BmadColumn, Status>> = {
  backlog: 'queued',
  'ready-for-dev': 'queued',
  'in-progress': 'in_progress',
  review: 'in_progress',
  done: 'done',
};

export type AgentRole = 'sm' | 'dev' | 'qa' | 'pm' | 'architect';
export interface AgentSpec {
  role: AgentRole;
  name: string;
  model: string;
}
// BMAD's persona names, so a dashboard fed by the simulator looks like one fed by a real project.
export const AGENTS: readonly AgentSpec[] = [
  { role: 'sm', name: 'Bob (Scrum Master)', model: 'claude-haiku-4-5' },
  { role: 'dev', name: 'Amelia (Developer)', model: 'claude-sonnet-4-5' },
  { role: 'qa', name: 'Quinn (QA)', model: 'claude-sonnet-4-5' },
  { role: 'pm', name: 'John (Product Manager)', model: 'claude-opus-4-1' },
  { role: 'architect', name: 'Winston (Architect)', model: 'claude-opus-4-1' },
];

/** USD per million tokens. Approximate list prices: only the order of magnitude matters for a dashboard. */
export const PRICES: Readonly<Record<string, { input: number; output: number }>> = {
  'claude-haiku-4-5': { input: 1, output: 5 },
  'claude-sonnet-4-5': { input: 3, output: 15 },
  'claude-opus-4-1': { input: 15, output: 75 },
};

export type WorkflowName = 'create-prd' | 'create-architecture' | 'create-epics-and-stories' | 'create-story' | 'dev-story' | 'code-review';
export const WORKFLOW_AGENT: Readonly<Record<WorkflowName, AgentRole>> = {
  'create-prd': 'pm',
  'create-architecture': 'architect',
  'create-epics-and-stories': 'pm',
  'create-story': 'sm',
  'dev-story': 'dev',
  'code-review': 'qa',
};
/** Which workflow moves a story out of its column. */
export const COLUMN_WORKFLOW: Readonly<Partial<Record<BmadColumn, WorkflowName>>> = {
  backlog: 'create-story',
  'ready-for-dev': 'dev-story',
  'in-progress': 'dev-story',
  review: 'code-review',
};

/** The modules whose data the simulator feeds, and therefore reports sync health for. */
export const SIMULATED_MODULES: readonly Module[] = ['project', 'story', 'workflow', 'agent', 'cost'];

export const PROJECT_NAMES = [
  'Checkout Revamp',
  'Mobile Onboarding',
  'Billing Service',
  'Search Relevance',
  'Partner API',
  'Admin Console',
  'Data Export',
  'Notifications Hub',
];
export const EPIC_THEMES = ['Foundations', 'User Accounts', 'Payments', 'Reporting', 'Integrations', 'Performance', 'Accessibility', 'Observability'];
export const STORY_TITLES = [
  'Sign-up with email verification',
  'Password reset flow',
  'Persist cart across sessions',
  'Rate-limit public endpoints',
  'CSV export of invoices',
  'Audit log for admin actions',
  'Retry failed webhooks',
  'Dark mode for the dashboard',
  'Paginate the orders list',
  'Localise currency formatting',
  'Health check endpoint',
  'Feature flag for new checkout',
];
export const BLOCK_REASONS = ['waiting for a product decision', 'test environment unavailable', 'depends on an unmerged story', 'acceptance criteria unclear'];
export const FAIL_REASONS = ['tests failed', 'context window exceeded', 'merge conflict', 'lint errors'];
export const CANCEL_REASONS = ['superseded by a re-plan', 'deprioritised in sprint planning'];

export interface Project {
  id: string;
  name: string;
  status: Status;
  dueAt: string;
  /** Planning workflows still to run before stories exist. */
  planning: WorkflowName[];
  epicsPlanned: number;
  epicsCreated: number;
  storiesCreated: number;
  storiesDone: number;
  /** Stories not done yet; done ones are dropped so a long run keeps bounded state. */
  stories: Map<string, Story>;
  projectRunActive: boolean;
}

export interface Story {
  id: string;
  projectId: string;
  key: string;
  title: string;
  epic: string;
  column: BmadColumn;
  busy: boolean;
  reviewRounds: number;
}

export interface Run {
  id: string;
  name: WorkflowName;
  agent: AgentSpec;
  project: Project;
  story: Story | undefined;
  status: Status;
  attempts: number;
  workSteps: number;
}

/** Agents are the same personas in every run, so repeated runs update them instead of multiplying them. */
export function agentId(a: AgentSpec): string {
  return `sim-agent-${a.role}`;
}
