import { describe, expect, it } from 'vitest';
import { buildBoard, type Finding, type Story } from '../../src/contracts/index.js';
import { BoardBodies } from '../../src/server/modules/stories/board-body.js';
import { withCosts, type CostSum } from '../../src/server/modules/stories/index.js';

// The board's body is put together from kept card JSON: it must be byte for byte what stringifying the board built
// from the same rows gives, and a card must change as soon as its story, cost rows or findings do.
const story = (id: string, over: Partial<Story> = {}): Story => ({
  id,
  projectId: 'p-1',
  title: `Story ${id}`,
  ownerId: null,
  status: 'queued',
  kanbanColumn: null,
  epic: null,
  statusSince: null,
  updatedAt: '2026-12-01T10:00:00.000Z',
  details: null,
  findings: [],
  attrsVersion: null,
  statusVersion: null,
  ...over,
});
const finding: Finding = {
  kind: 'status_drift',
  storyId: 's-2',
  file: 'docs/stories/1-2.md',
  line: 3,
  message: 'Status "done" in the story file, "review" in sprint-status.yaml',
  expected: 'review',
  actual: 'done',
  entity: null,
  field: null,
};
const row = (key: string, currency: string | null, amount: number, priced: number, unpriced = 0): CostSum => ({ key, currency, amount, priced, unpriced });

/** What the route sent before card JSON was kept: the board built from the rows, stringified whole. */
function expected(stories: Story[], rows: CostSum[], findings: Map<string, Finding[]>): string {
  const cards = withCosts(stories, rows);
  return JSON.stringify(buildBoard('p-1', findings.size === 0 ? cards : cards.map((s) => ({ ...s, findings: findings.get(s.id) ?? [] }))));
}

describe('a board body from kept card JSON', () => {
  const stories = [
    story('s-1', { title: 'Login "quoted" \u2028 ünïcode' }),
    story('s-2', { status: 'in_progress', kanbanColumn: 'review' }),
    story('s-3', { status: null, kanbanColumn: null }),
    story('s-4', { status: 'done' }),
  ];
  const rows = [row('s-1', 'USD', 1.25, 2), row('s-1', 'EUR', 0.5, 1), row('s-1', null, 0, 0, 3), row('s-4', null, 0, 0, 1)];
  const findings = new Map([['s-2', [finding]]]);

  it('is byte for byte the stringified board: custom columns, no status, several currencies, unpriced, findings', () => {
    const bodies = new BoardBodies();
    expect(bodies.body('p-1', stories, rows, findings).body.toString('utf8')).toBe(expected(stories, rows, findings));
    expect(bodies.body('p-1', stories, rows, new Map()).body.toString('utf8')).toBe(expected(stories, rows, new Map()));
    expect(bodies.body('p-1', [], [], new Map()).body.toString('utf8')).toBe(expected([], [], new Map()));
  });

  it('changes a kept card when its cost rows or findings change, and only that card', () => {
    const bodies = new BoardBodies();
    bodies.body('p-1', stories, rows, findings);
    const moreCost = [...rows.filter((r) => r.key !== 's-4'), row('s-4', 'USD', 9, 1, 1)];
    const after = bodies.body('p-1', stories, moreCost, new Map()).body.toString('utf8');
    expect(after).toBe(expected(stories, moreCost, new Map()));
    const cards = (JSON.parse(after) as { columns: { cards: Story[] }[] }).columns.flatMap((c) => c.cards);
    expect(cards.find((s) => s.id === 's-4')!.cost).toEqual({
      availability: 'available',
      totals: [{ currency: 'USD', amount: 9, events: 1 }],
      unpricedEvents: 1,
    });
    expect(cards.find((s) => s.id === 's-2')!.findings).toEqual([]);
  });

  it('takes a story re-read from the tables as new, even under the same id', () => {
    const bodies = new BoardBodies();
    bodies.body('p-1', stories, rows, findings);
    const reread = stories.map((s) => (s.id === 's-3' ? story('s-3', { title: 'Renamed', status: 'done' }) : s));
    expect(bodies.body('p-1', reread, rows, findings).body.toString('utf8')).toBe(expected(reread, rows, findings));
  });

  it('gives the same ETag for the same board, built afresh or from kept cards', () => {
    const kept = new BoardBodies();
    kept.body('p-1', stories, rows, findings);
    expect(kept.body('p-1', stories, rows, findings).etag).toBe(new BoardBodies(false).body('p-1', stories, rows, findings).etag);
  });
});
