/**
 * BMAD slash commands as they appear in Claude Code transcripts: `/bmad:bmm:workflows:dev-story` (v6 alpha),
 * `/BMad:agents:dev` (v4), `/bmad-bmm-dev-story`, `/bmad-agent-dev`, `/bmad-build` (v6 skills), usually wrapped in
 * `<command-name>…</command-name>` on a user line.
 */

/** The agent roles BMAD Ops knows (agent ids `bmad-agent-{role}`). */
export const AGENT_ROLES = ['sm', 'dev', 'qa', 'pm', 'architect', 'analyst', 'ux-designer'] as const;
export type AgentRole = (typeof AGENT_ROLES)[number];

const ROLE_ALIASES: Record<string, AgentRole> = {
  'ux-expert': 'ux-designer',
  ux: 'ux-designer',
  tea: 'qa',
  'test-architect': 'qa',
  'scrum-master': 'sm',
  developer: 'dev',
};

/** Who runs each workflow (BMAD v6 roles). */
const WORKFLOW_ROLE: Record<string, AgentRole> = {
  'create-story': 'sm',
  'story-context': 'sm',
  'sprint-planning': 'sm',
  'sprint-status': 'sm',
  retrospective: 'sm',
  'correct-course': 'sm',
  'dev-story': 'dev',
  'quick-dev': 'dev',
  'quick-spec': 'dev',
  build: 'dev',
  develop: 'dev',
  'code-review': 'qa',
  review: 'qa',
  'test-design': 'qa',
  'create-prd': 'pm',
  prd: 'pm',
  'create-epics-and-stories': 'pm',
  'create-architecture': 'architect',
  architecture: 'architect',
  'check-implementation-readiness': 'architect',
  'create-product-brief': 'analyst',
  'product-brief': 'analyst',
  research: 'analyst',
  brainstorm: 'analyst',
  'brainstorm-project': 'analyst',
  'create-ux-design': 'ux-designer',
};

/** `bmad-{x}` names that are neither a workflow nor an agent. */
const NOT_A_COMMAND = new Set(['help', 'master', 'init', 'ops', 'method', 'core', 'output']);
const MODULE_PREFIX = /^(?:bmm|core|cis|tea|bmb|bmgd)-/;

export interface BmadCommand {
  role: AgentRole | null;
  workflow: string | null;
}

export function normaliseRole(raw: string): AgentRole | null {
  const r = raw.toLowerCase();
  if ((AGENT_ROLES as readonly string[]).includes(r)) return r as AgentRole;
  return ROLE_ALIASES[r] ?? null;
}

export function roleOfWorkflow(workflow: string): AgentRole | null {
  if (WORKFLOW_ROLE[workflow]) return WORKFLOW_ROLE[workflow];
  if (workflow.startsWith('testarch-')) return 'qa';
  return null;
}

/** Classifies one command token (without the leading slash), or null when it is not a BMAD agent or workflow. */
export function classifyCommand(token: string): BmadCommand | null {
  const t = token.toLowerCase().replace(/[:-]+$/, '');
  if (t.startsWith('bmad:')) {
    const parts = t.split(':').filter(Boolean);
    const agentAt = parts.indexOf('agents');
    if (agentAt >= 0 && parts[agentAt + 1]) return agentCommand(parts[agentAt + 1]!);
    const last = parts[parts.length - 1];
    if (!last || parts.length < 2) return null;
    return workflowCommand(last);
  }
  if (!t.startsWith('bmad-')) return null;
  const rest = t.slice('bmad-'.length);
  if (rest.startsWith('agent-')) return agentCommand(rest.slice('agent-'.length).replace(MODULE_PREFIX, ''));
  const name = rest.replace(MODULE_PREFIX, '');
  if (name === '' || NOT_A_COMMAND.has(name)) return null;
  return workflowCommand(name);
}

function agentCommand(raw: string): BmadCommand | null {
  const role = normaliseRole(raw);
  return role ? { role, workflow: null } : null;
}

function workflowCommand(name: string): BmadCommand {
  return { role: roleOfWorkflow(name), workflow: name };
}

// A slash command (`/bmad…` at a word start), the `<command-name>` tag, or a message that is only the skill's name.
const SLASH = /(?:^|[\s>"'(`])\/(bmad[\w:-]*)/gi;
const TAGGED = /<command-name>\s*\/?(bmad[\w:-]*)\s*<\/command-name>/gi;
const BARE = /^\s*(bmad-[\w-]+)(?:\s|$)/i;

/** The BMAD commands in a user message's text, in order. */
export function findBmadCommands(text: string): BmadCommand[] {
  const found: { at: number; token: string }[] = [];
  for (const m of text.matchAll(TAGGED)) found.push({ at: m.index, token: m[1]! });
  if (found.length === 0) {
    for (const m of text.matchAll(SLASH)) found.push({ at: m.index, token: m[1]! });
    const bare = BARE.exec(text);
    if (found.length === 0 && bare) found.push({ at: 0, token: bare[1]! });
  }
  return found
    .sort((a, b) => a.at - b.at)
    .map((f) => classifyCommand(f.token))
    .filter((c): c is BmadCommand => c !== null);
}
