import type { BmadLayout } from '../model.js';
import { versionParts } from '../parse/version.js';

/** A BMAD agent as this project's BMAD version calls it: id (stable across projects), persona name and role. */
export interface Persona {
  id: string;
  name: string;
  type: string;
}

const P = {
  analyst: { id: 'bmad-agent-analyst', name: 'Mary (Analyst)', type: 'analyst' },
  pm: { id: 'bmad-agent-pm', name: 'John (Product Manager)', type: 'pm' },
  architect: { id: 'bmad-agent-architect', name: 'Winston (Architect)', type: 'architect' },
  ux: { id: 'bmad-agent-ux-designer', name: 'Sally (UX Designer)', type: 'ux-designer' },
  sm: { id: 'bmad-agent-sm', name: 'Bob (Scrum Master)', type: 'sm' },
  dev: { id: 'bmad-agent-dev', name: 'Amelia (Developer)', type: 'dev' },
  qa: { id: 'bmad-agent-qa', name: 'Quinn (QA)', type: 'qa' },
  devV4: { id: 'bmad-agent-dev-james', name: 'James (Full Stack Developer)', type: 'dev' },
  po: { id: 'bmad-agent-po', name: 'Sarah (Product Owner)', type: 'po' },
} as const satisfies Record<string, Persona>;

export interface StoryWorkflowNames {
  create: string;
  dev: string;
  review: string;
}

export interface PersonaMap {
  /** Who runs each story workflow, and what the workflow is called, in this version. */
  create: Persona;
  dev: Persona;
  review: Persona;
  names: StoryWorkflowNames;
  /** Planning workflows (create-prd, …) to their persona. */
  planning(workflow: string): Persona;
  /** Every persona this version uses (registered as agents). */
  all: Persona[];
}

const PLANNING: Record<string, keyof typeof P> = {
  'create-product-brief': 'analyst',
  'create-prd': 'pm',
  'validate-prd': 'pm',
  'create-ux-design': 'ux',
  'create-architecture': 'architect',
  'create-epics-and-stories': 'pm',
  'check-implementation-readiness': 'architect',
};

/**
 * Personas by BMAD version: v4 (Bob, James, Quinn); v6 before 6.3 (Bob creates stories, Amelia develops and reviews);
 * from 6.3 Bob and Quinn are retired and their work is Amelia's (BMAD-METHOD #2186, #2179); from 6.11 development is
 * the Build skill. A v6 project that does not say its version (no _bmad/ in git) gets the current personas.
 */
export function personasFor(layout: BmadLayout, version: string | null): PersonaMap {
  const v = versionParts(version);
  const planning = (w: string): Persona => P[PLANNING[w] ?? 'pm'];
  if (layout === 'v4') {
    return {
      create: P.sm,
      dev: P.devV4,
      review: P.qa,
      names: { create: 'create-next-story', dev: 'develop-story', review: 'review-story' },
      planning,
      all: [P.analyst, P.pm, P.architect, P.ux, P.sm, P.devV4, P.qa, P.po],
    };
  }
  const modern = v === null ? layout === 'v6' || layout === 'v6-tickets' : v[0] > 6 || (v[0] === 6 && v[1] >= 3);
  const alpha = layout === 'v6-alpha-bmad' || layout === 'v6-alpha-dotbmad';
  const build = layout === 'v6-tickets' || v === null || v[0] > 6 || (v[0] === 6 && v[1] >= 11);
  const names: StoryWorkflowNames = { create: 'create-story', dev: build && !alpha ? 'build' : 'dev-story', review: 'code-review' };
  if (modern && !alpha) return { create: P.dev, dev: P.dev, review: P.dev, names, planning, all: [P.analyst, P.pm, P.architect, P.ux, P.dev] };
  return { create: P.sm, dev: P.dev, review: P.dev, names, planning, all: [P.analyst, P.pm, P.architect, P.ux, P.sm, P.dev, P.qa] };
}
