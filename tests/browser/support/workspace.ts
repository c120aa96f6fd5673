import { agentUpserted, projectUpserted, storyUpserted, userUpserted, workflowTransitioned, workflowUpserted } from '../../support/events.js';

const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

/** A small, realistic workspace: two projects (one late and at risk), stories over every column, runs in every state. */
export function workspaceEvents() {
  const o = (minutes: number) => ({ occurredAt: ago(minutes) });
  const events: { type: string }[] = [
    userUpserted('u-ada', { displayName: 'Ada Lovelace', email: 'ada@example.test' }, o(600)),
    userUpserted('u-linus', { displayName: 'Linus Torvalds', email: 'linus@example.test' }, o(600)),
    agentUpserted('a-dev', { name: 'Amelia (dev)', type: 'dev' }, o(600)),
    agentUpserted('a-sm', { name: 'Bob (scrum master)', type: 'sm' }, o(600)),
    agentUpserted('a-qa', { name: 'Quinn (QA)', type: 'qa' }, o(600)),
    projectUpserted('p-checkout', { name: 'Checkout revamp', ownerId: 'u-ada', progressPct: 62, dueAt: inDays(12), riskFlag: false }, o(300)),
    projectUpserted('p-billing', { name: 'Billing exports', ownerId: 'u-linus', progressPct: null, dueAt: ago(60 * 24 * 3), riskFlag: true }, o(300)),
  ];
  const stories: [string, string, string, string | null, string][] = [
    ['s-1', 'Cart keeps items across devices', 'queued', 'Epic 1: Cart', 'u-ada'],
    ['s-2', 'Guest checkout', 'queued', 'Epic 2: Checkout', 'u-linus'],
    ['s-3', 'Apple Pay button', 'in_progress', 'Epic 2: Checkout', 'u-ada'],
    ['s-4', 'Address autocomplete', 'in_progress', 'Epic 2: Checkout', 'u-linus'],
    ['s-5', 'Fraud check hook', 'blocked', 'Epic 3: Payments', 'u-ada'],
    ['s-6', 'Order confirmation email', 'done', 'Epic 3: Payments', 'u-linus'],
    ['s-7', 'Saved cards', 'done', 'Epic 1: Cart', 'u-ada'],
    ['s-8', 'Legacy coupon codes', 'canceled', null, 'u-linus'],
  ];
  stories.forEach(([id, title, status, epic, owner], i) =>
    events.push(storyUpserted(id, 'p-checkout', { title, status, epic, ownerId: owner }, o(200 - i * 10))),
  );
  events.push(storyUpserted('s-20', 'p-billing', { title: 'CSV export of invoices', status: 'in_progress', ownerId: 'u-linus' }, o(90)));
  const runs: [string, string, string, string, string | null, string[]][] = [
    ['w-1', 'create-story 1.1', 'a-sm', 'u-ada', 's-1', ['in_progress', 'done']],
    ['w-2', 'dev-story 2.1', 'a-dev', 'u-ada', 's-3', ['in_progress']],
    ['w-3', 'dev-story 3.1', 'a-dev', 'u-linus', 's-5', ['in_progress', 'blocked']],
    ['w-4', 'code-review 2.2', 'a-qa', 'u-linus', 's-4', ['in_progress', 'failed']],
    ['w-5', 'create-prd', 'a-sm', 'u-ada', null, ['in_progress', 'done']],
    ['w-6', 'dev-story 2.2', 'a-dev', 'u-linus', 's-4', []],
  ];
  runs.forEach(([id, name, agent, owner, story, path], i) => {
    const start = 120 - i * 15;
    events.push(workflowUpserted(id, { name, agentId: agent, ownerId: owner, storyId: story, projectId: 'p-checkout', status: 'queued' }, o(start)));
    let from = 'queued';
    path.forEach((to, k) => {
      events.push(
        workflowTransitioned(
          id,
          from,
          to,
          { occurredAt: ago(start - 5 * (k + 1)) },
          { actorId: agent, reason: to === 'blocked' ? 'waiting for the payments sandbox' : to === 'failed' ? 'tests failed: 3 of 41' : null },
        ),
      );
      from = to;
    });
  });
  return events;
}
