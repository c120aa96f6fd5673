import type { BmadStory } from '../model.js';
import type { PersonaMap } from '../history/personas.js';
import { storyRuns } from '../history/runs.js';
import type { TimelineEntry } from '../history/timeline.js';
import { allowedFrom, commitRef, event, ids, validEmail, type ConnectorEvent } from './event.js';

/**
 * Each story's workflow runs from its timeline: workflow.upserted when a run starts (name, agent, story) and a
 * workflow.transitioned for every change, at the time the story change that caused it was first seen, with its commit.
 */
export function runEvents(
  pk: string,
  stories: readonly BmadStory[],
  timelines: Readonly<Record<string, TimelineEntry[]>>,
  personas: PersonaMap,
): ConnectorEvent[] {
  const projectId = ids.project(pk);
  const out: ConnectorEvent[] = [];
  for (const s of stories) {
    const storyId = ids.story(pk, s.key);
    for (const run of storyRuns(timelines[`story:${s.key}`] ?? [], personas)) {
      const workflowId = ids.workflow(pk, `${s.key}:${run.id}`);
      const first = run.steps[0]!;
      const ctx = { projectId, storyId, workflowId };
      out.push(
        event(
          'workflow.upserted',
          'workflow',
          workflowId,
          first.at,
          {
            projectId,
            storyId,
            name: `${run.workflow} ${s.key}`.slice(0, 200),
            agentId: run.agent.id,
            status: first.to,
            seenIn: first.seenIn,
            ...(first.commit ? { commit: commitRef(first.commit) } : {}),
          },
          { projectId, storyId },
          'run',
        ),
      );
      for (const step of run.steps) {
        const actorId = step.commit ? (validEmail(step.commit.authorEmail) ? ids.person(step.commit.authorEmail) : null) : step.actorId;
        const from = allowedFrom('workflow', step.from, step.to, false);
        out.push(
          event(
            'workflow.transitioned',
            'workflow',
            workflowId,
            step.at,
            {
              to: step.to,
              ...(from ? { from } : {}),
              transitionKey: step.key,
              seenIn: step.seenIn,
              ...(step.commit ? { commit: commitRef(step.commit) } : {}),
              ...(actorId ? { actorId } : {}),
              ...(step.reason ? { reason: step.reason } : {}),
            },
            ctx,
            'run',
          ),
        );
      }
    }
  }
  return out;
}
