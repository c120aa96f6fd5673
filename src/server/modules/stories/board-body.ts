import { buildBoard, type Finding, type Story } from '../../../contracts/index.js';
import { SerializedJson } from '../../http/serialized-json.js';
import { costToDate, type CostSum } from './cost-to-date.js';

interface CardJson {
  costKey: string;
  findingsKey: string;
  /** The card's JSON, already UTF-8: the body is then one copy of bytes, not a megabyte string encoded again. */
  bytes: Buffer;
}

const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']}');

const costKeyOf = (rows: readonly CostSum[] | undefined) => (rows ? rows.map((r) => `${r.currency}|${r.amount}|${r.priced}|${r.unpriced}`).join(';') : '');

/**
 * A board's JSON, put together from one piece per card. A card's piece is kept while its story is the very object
 * BoardStories still holds (a write to any of the project's stories replaces them all) and its cost rows and findings
 * read the same. Any commit to the database makes the next board read build the body again; most commits are another
 * project's events or a few cards' costs, and stringifying 2,000 unchanged cards was half of that rebuild (issue 17).
 * The bytes are those of JSON.stringify(buildBoard(...)) with costs and findings attached, as the route sent before.
 * Each card's piece is kept as bytes: joining 2,000 strings and encoding the result to UTF-8 took most of a rebuild's
 * remaining time, where copying the kept bytes into one buffer takes a fraction of a millisecond.
 */
export class BoardBodies {
  private readonly cards = new WeakMap<Story, CardJson>();

  constructor(private readonly keep = true) {}

  body(projectId: string, stories: readonly Story[], costRows: readonly CostSum[], findings: ReadonlyMap<string, readonly Finding[]>): SerializedJson {
    const rowsByStory = new Map<string, CostSum[]>();
    for (const r of costRows) {
      const list = rowsByStory.get(r.key);
      if (list) list.push(r);
      else rowsByStory.set(r.key, [r]);
    }
    // Grouping only: the cards' own JSON comes from card() below.
    const { columns } = buildBoard(projectId, stories);
    const parts: Buffer[] = [Buffer.from(`{"projectId":${JSON.stringify(projectId)},"columns":[`, 'utf8')];
    columns.forEach((column, i) => {
      if (i > 0) parts.push(COMMA);
      parts.push(Buffer.from(`{"key":${JSON.stringify(column.key)},"status":${JSON.stringify(column.status)},"count":${column.count},"cards":[`, 'utf8'));
      column.cards.forEach((story, j) => {
        if (j > 0) parts.push(COMMA);
        parts.push(this.card(story, rowsByStory.get(story.id), findings.get(story.id)));
      });
      parts.push(CLOSE);
    });
    parts.push(CLOSE);
    return new SerializedJson(Buffer.concat(parts));
  }

  private card(story: Story, rows: CostSum[] | undefined, findings: readonly Finding[] | undefined): Buffer {
    const costKey = costKeyOf(rows);
    const findingsKey = findings && findings.length > 0 ? JSON.stringify(findings) : '';
    const kept = this.cards.get(story);
    if (kept && kept.costKey === costKey && kept.findingsKey === findingsKey) return kept.bytes;
    const card: Story = { ...story, cost: costToDate(rows ?? []), ...(findings ? { findings: [...findings] } : {}) };
    const bytes = Buffer.from(JSON.stringify(card), 'utf8');
    if (this.keep) this.cards.set(story, { costKey, findingsKey, bytes });
    return bytes;
  }
}
