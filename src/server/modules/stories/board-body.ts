import { buildBoard, type Finding, type Story } from '../../../contracts/index.js';
import { SerializedJson } from '../../http/serialized-json.js';
import { costToDate, type CostSum } from './cost-to-date.js';

interface CardJson {
  costKey: string;
  findingsKey: string;
  json: string;
}

const costKeyOf = (rows: readonly CostSum[] | undefined) => (rows ? rows.map((r) => `${r.currency}|${r.amount}|${r.priced}|${r.unpriced}`).join(';') : '');

/**
 * A board's JSON, put together from one piece per card. A card's piece is kept while its story is the very object
 * BoardStories still holds (a write to any of the project's stories replaces them all) and its cost rows and findings
 * read the same. Any commit to the database makes the next board read build the body again; most commits are another
 * project's events or a few cards' costs, and stringifying 2,000 unchanged cards was half of that rebuild (issue 17).
 * The bytes are those of JSON.stringify(buildBoard(...)) with costs and findings attached, as the route sent before.
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
    let out = `{"projectId":${JSON.stringify(projectId)},"columns":[`;
    columns.forEach((column, i) => {
      out += `${i > 0 ? ',' : ''}{"key":${JSON.stringify(column.key)},"status":${JSON.stringify(column.status)},"count":${column.count},"cards":[`;
      column.cards.forEach((story, j) => {
        out += (j > 0 ? ',' : '') + this.card(story, rowsByStory.get(story.id), findings.get(story.id));
      });
      out += ']}';
    });
    return new SerializedJson(Buffer.from(`${out}]}`, 'utf8'));
  }

  private card(story: Story, rows: CostSum[] | undefined, findings: readonly Finding[] | undefined): string {
    const costKey = costKeyOf(rows);
    const findingsKey = findings && findings.length > 0 ? JSON.stringify(findings) : '';
    const kept = this.cards.get(story);
    if (kept && kept.costKey === costKey && kept.findingsKey === findingsKey) return kept.json;
    const card: Story = { ...story, cost: costToDate(rows ?? []), ...(findings ? { findings: [...findings] } : {}) };
    const json = JSON.stringify(card);
    if (this.keep) this.cards.set(story, { costKey, findingsKey, json });
    return json;
  }
}
