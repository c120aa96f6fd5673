import { createHash } from 'node:crypto';
import type { ConnectorEvent } from '../../connector/bmad/to-events.js';
import { isObject, type Json } from './transcript-session.js';

export const CLAUDE_IMPORTER_SOURCE = 'claude-code-importer';

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 1e12;
const sha = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 40);

/** Key order matters: the dedup key of an entry without ids is built from JSON.stringify of these counts. */
export interface TokenCounts {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

export interface UsageCounts {
  tokens: TokenCounts;
  /** The 5-minute / 1-hour cache-write split, when Claude Code wrote one that adds up (priced at 1.25× and 2× input). */
  split: { cacheWrite5m: number; cacheWrite1h: number } | null;
}

/** A message's `usage` block as counts, or null when a count is not a non-negative integer. */
export function usageCountsOf(u: Json): UsageCounts | null {
  const input = u.input_tokens ?? 0;
  const output = u.output_tokens ?? 0;
  const cacheWrite = u.cache_creation_input_tokens ?? 0;
  const cacheRead = u.cache_read_input_tokens ?? 0;
  if (!isCount(input) || !isCount(output) || !isCount(cacheWrite) || !isCount(cacheRead)) return null;
  const split = isObject(u.cache_creation) ? u.cache_creation : null;
  const write5m = split?.ephemeral_5m_input_tokens;
  const write1h = split?.ephemeral_1h_input_tokens;
  const hasSplit = isCount(write5m) && isCount(write1h) && write5m + write1h === cacheWrite;
  return { tokens: { input, output, cacheWrite, cacheRead }, split: hasSplit ? { cacheWrite5m: write5m, cacheWrite1h: write1h } : null };
}

export interface UsageEventInput {
  /** The dedup key (`message.id:requestId`, or a stable stand-in); the event id is its hash. */
  key: string;
  at: number;
  line: Json;
  message: Json;
  usage: Json;
  counts: UsageCounts;
  projectId: string | null;
  agentId: string | null;
  workflowId: string | null;
  storyId: string | null;
  requestId: string | null;
  sessionId: string;
  subagent: string | null;
  skill: string | null;
  workflow: string | null;
}

const shortText = (v: unknown, max: number): string | null => (typeof v === 'string' && v !== '' ? v.slice(0, max) : null);

/** The `cost.recorded` event of one usage entry. */
export function usageEvent(i: UsageEventInput): ConnectorEvent {
  const model = typeof i.message.model === 'string' && i.message.model.trim() !== '' ? i.message.model.trim().slice(0, 128) : null;
  const costUSD = typeof i.line.costUSD === 'number' && Number.isFinite(i.line.costUSD) && i.line.costUSD >= 0 ? i.line.costUSD : null;
  const digest = sha(i.key);
  return {
    id: `claude-${digest}`,
    source: CLAUDE_IMPORTER_SOURCE,
    type: 'cost.recorded',
    occurredAt: new Date(i.at).toISOString(),
    entity: { type: 'cost', id: `claude-cost-${digest}` },
    ...(i.projectId ? { projectId: i.projectId } : {}),
    ...(i.workflowId ? { workflowId: i.workflowId } : {}),
    ...(i.storyId ? { storyId: i.storyId } : {}),
    payload: {
      ...(costUSD !== null ? { amount: costUSD, currency: 'USD' } : {}),
      projectId: i.projectId,
      agentId: i.agentId,
      workflowId: i.workflowId,
      storyId: i.storyId,
      model,
      tokens: i.counts.split ? { ...i.counts.tokens, ...i.counts.split } : i.counts.tokens,
      requestId: i.requestId ? i.requestId.slice(0, 128) : null,
      sessionId: i.subagent ? `${i.sessionId}/${i.subagent}` : i.sessionId,
      parentSessionId: i.subagent ? i.sessionId : null,
      skill: i.skill,
      workflow: i.workflow,
      speed: shortText(i.usage.speed, 32),
      serviceTier: shortText(i.usage.service_tier, 32),
      via: 'transcript',
    },
  };
}
