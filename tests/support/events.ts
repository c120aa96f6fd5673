/** Builders for valid events, so each test states only what it is about. */
let counter = 0;
const nextId = (prefix: string) => `${prefix}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;

export const T0 = '2026-11-29T08:00:00.000Z';
export const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

type Extra = Record<string, unknown>;

export function projectUpserted(id: string, payload: Extra = {}, extra: Extra = {}) {
  return {
    id: nextId('evt'),
    source: 'test',
    type: 'project.upserted',
    occurredAt: T0,
    entity: { type: 'project', id },
    payload: { name: `Project ${id}`, status: 'in_progress', ...payload },
    ...extra,
  };
}

export function storyUpserted(id: string, projectId: string, payload: Extra = {}, extra: Extra = {}) {
  return {
    id: nextId('evt'),
    source: 'test',
    type: 'story.upserted',
    occurredAt: T0,
    entity: { type: 'story', id },
    payload: { projectId, title: `Story ${id}`, status: 'queued', ...payload },
    ...extra,
  };
}

export function storyStatusChanged(id: string, to: string, from: string | null, extra: Extra = {}) {
  return { id: nextId('evt'), source: 'test', type: 'story.status_changed', occurredAt: T0, entity: { type: 'story', id }, payload: { to, from }, ...extra };
}

export function workflowUpserted(id: string, payload: Extra = {}, extra: Extra = {}) {
  return {
    id: nextId('evt'),
    source: 'test',
    type: 'workflow.upserted',
    occurredAt: T0,
    entity: { type: 'workflow', id },
    payload: { name: `Workflow ${id}`, status: 'queued', ...payload },
    ...extra,
  };
}

export function workflowTransitioned(id: string, from: string | null, to: string, extra: Extra = {}, payload: Extra = {}) {
  return {
    id: nextId('evt'),
    source: 'test',
    type: 'workflow.transitioned',
    occurredAt: T0,
    entity: { type: 'workflow', id },
    payload: { from, to, ...payload },
    ...extra,
  };
}

export function agentUpserted(id: string, payload: Extra = {}, extra: Extra = {}) {
  return {
    id: nextId('evt'),
    source: 'test',
    type: 'agent.upserted',
    occurredAt: T0,
    entity: { type: 'agent', id },
    payload: { name: `Agent ${id}`, type: 'dev', ...payload },
    ...extra,
  };
}

export function userUpserted(id: string, payload: Extra = {}, extra: Extra = {}) {
  return {
    id: nextId('evt'),
    source: 'test',
    type: 'user.upserted',
    occurredAt: T0,
    entity: { type: 'user', id },
    payload: { email: `${id}@example.test`, displayName: `User ${id}`, ...payload },
    ...extra,
  };
}

export function costRecorded(id: string, payload: Extra = {}, extra: Extra = {}) {
  return {
    id: nextId('evt'),
    source: 'test',
    type: 'cost.recorded',
    occurredAt: T0,
    entity: { type: 'cost', id },
    payload: { amount: 1.25, currency: 'USD', ...payload },
    ...extra,
  };
}

export function syncReported(scope: string, module: string, status: 'ok' | 'failed', payload: Extra = {}, extra: Extra = {}) {
  return {
    id: nextId('evt'),
    source: 'test',
    type: 'sync.reported',
    occurredAt: T0,
    entity: { type: 'sync', id: scope },
    payload: { module, status, ...(status === 'failed' ? { error: 'boom' } : {}), ...payload },
    ...extra,
  };
}
