import { chronological, type Fact, type HistoryEntry } from './fact.js';

type Stage = 'dev' | 'review' | 'done' | 'other';

/** Review is a board column, not a canonical status (BMAD's review maps to in_progress): the column tells them apart. */
function stageOf(e: HistoryEntry): Stage {
  if (e.status === 'done') return 'done';
  if (e.column && /review/i.test(e.column)) return 'review';
  if (e.status === 'in_progress') return 'dev';
  return 'other';
}

/**
 * Facts of one story from its history: a completion (it reached done) and review outcomes — accepted (done) or sent
 * back (from review or done to in-progress). They are credited to every agent that ran a workflow on the story.
 */
export function storyFacts(history: readonly HistoryEntry[]): Fact[] {
  const facts: Fact[] = [];
  let stage: Stage | null = null;
  let enteredBy: HistoryEntry | null = null;
  for (const e of chronological(history)) {
    const next = stageOf(e);
    if (next === stage) continue;
    if (next === 'done') {
      facts.push({ kpi: 'stories_completed', at: e.at, num: 1, den: null, sample: null, eventIds: [e.eventId] });
      facts.push({ kpi: 'rework_rate', at: e.at, num: 0, den: 1, sample: null, eventIds: [e.eventId] });
    }
    if (next === 'dev' && (stage === 'review' || stage === 'done') && enteredBy !== null) {
      facts.push({ kpi: 'rework_rate', at: e.at, num: 1, den: 1, sample: null, eventIds: [enteredBy.eventId, e.eventId] });
    }
    stage = next;
    enteredBy = e;
  }
  return facts;
}
