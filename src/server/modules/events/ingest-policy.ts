import { SERVER_SOURCES, type EventType, type IncomingEvent, type IngestResult } from '../../../contracts/index.js';

// Defined with the API key contracts, so the browser refuses them as they are typed.
export { SERVER_SOURCES };

/**
 * What a sender may write. The server's own sources (the dashboard's actions, the OTLP receiver, the demo workspace)
 * and the event types only the server emits (a budget, which REST reserves to operators) are never accepted from
 * outside; an ingest key writes only under the sources it is bound to (`key create --source`) and, when bound to a
 * project, only that project's events.
 */
export const SERVER_ONLY_TYPES: readonly EventType[] = [
  'project.budget_set',
  // Alert rules and channels are a manager's (Settings → Alerts); firings and resolutions the evaluator's.
  'alert.rule_set',
  'alert.rule_removed',
  'alert.channel_set',
  'alert.channel_removed',
  'alert.fired',
  'alert.resolved',
];

export interface SenderPolicy {
  /** The project a key is bound to; an event of any other project (or of none) is refused. */
  onlyProject?: string | null;
  /**
   * The sources the sender chose and may use; null: any but the server's own (keys made before sources were bound).
   * Absent when the server itself names the source of what the sender sent (the OTLP receiver).
   */
  sources?: readonly string[] | null;
}

type Refusal = Extract<IngestResult, { status: 'rejected' }>['code'];

/** Why this sender may not write this event, or null. */
export function policyRefusal(e: IncomingEvent, p: SenderPolicy): { code: Refusal; path: string; message: string } | null {
  if (p.sources !== undefined && SERVER_SOURCES.includes(e.source))
    return { code: 'source_not_allowed', path: 'source', message: `"${e.source}" is the server's own source: no key may write it` };
  if (p.sources && !p.sources.includes(e.source)) {
    return {
      code: 'source_not_allowed',
      path: 'source',
      message: `this key writes only as ${p.sources.map((x) => `"${x}"`).join(', ')} (create a key with --source ${e.source} for this)`,
    };
  }
  if (SERVER_ONLY_TYPES.includes(e.type))
    return { code: 'type_not_allowed', path: 'type', message: `${e.type} is emitted by the server only (budgets and alerts are set in the dashboard)` };
  if (p.onlyProject) {
    const projectOf = e.entityType === 'project' ? e.entityId : e.projectId;
    if (projectOf !== p.onlyProject) {
      return {
        code: 'project_not_allowed',
        path: 'projectId',
        message: `this key sends for project ${p.onlyProject} only (the event is ${projectOf ? `for ${projectOf}` : 'for no project'})`,
      };
    }
  }
  return null;
}
