/**
 * Table ownership: a server module reads and writes only its own tables, and gets other modules' data through
 * their surface (src/server/modules/<name>/index.ts) or a read model built for it. The check parses every module
 * file and lists each table a Kysely call (selectFrom, insertInto, joins, …) or a `sql` template (`from x`,
 * `join x`, …) names outside its module. It also fails when a table the migrations create has no owner here.
 *
 * `meta` and `schema_migrations` belong to the db layer (src/server/db): modules use src/server/db/meta.ts for their
 * own meta keys. Tables named at run time (`sql.table(name)`, `selectFrom(variable)`: the consistency monitor
 * compares every read model with its rebuild) cannot be seen by a parser and are not checked.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MODULES_DIR = path.join(ROOT, 'src/server/modules');
const MIGRATION_SOURCES = [path.join(ROOT, 'src/server/db/migrations'), path.join(ROOT, 'src/server/db/migrator.ts')];

/** Module → the tables it owns. */
const OWNERS: Record<string, readonly string[]> = {
  analytics: ['agent_metric_facts', 'agent_metrics', 'agent_outliers', 'rollup_checkpoints'],
  agents: ['agents'],
  auth: ['api_keys', 'auth_sessions', 'users', 'user_identities'],
  audit: ['audit_log'],
  realtime: ['client_sessions'],
  connectors: ['connector_state'],
  consistency: ['consistency_findings', 'consistency_reports', 'consistency_runs'],
  costs: [
    'cost_events',
    'cost_metric_series',
    'cost_rollup_hourly',
    'cost_rollup_project_daily',
    'cost_rollup_project_hourly',
    'cost_rollup_project_quarter',
    'cost_rollup_dim_hourly',
    'cost_rollup_dim_daily',
    'cost_rollup_total_hourly',
    'cost_rollup_day_versions',
    'cost_source_reports',
    'project_budgets',
    'story_cost_totals',
  ],
  documents: ['documents', 'document_versions'],
  events: ['domain_events'],
  epics: ['epics'],
  projects: ['projects'],
  status: ['sli_samples'],
  history: ['status_transitions'],
  stories: ['stories', 'story_board_versions'],
  sync: ['sync_state'],
  workflows: ['workflows', 'workflow_sessions', 'workflow_transitions'],
  alerts: ['alerts'],
  cluster: ['job_leases', 'rate_limit_hits', 'ws_presence'],
};
/** Every alert_* table is the alerts module's. */
const PREFIX_OWNERS: readonly [prefix: string, owner: string][] = [['alert_', 'alerts']];
/** Tables of the db layer itself: no module touches them with SQL of its own. */
const DB_LAYER = ['meta', 'schema_migrations'];
const DB_LAYER_OWNER = 'the db layer (src/server/db)';

/** Kysely calls whose first argument names a table ('name' or 'name as alias'). */
const TABLE_CALLS = new Set([
  'selectFrom',
  'insertInto',
  'replaceInto',
  'updateTable',
  'deleteFrom',
  'innerJoin',
  'leftJoin',
  'rightJoin',
  'fullJoin',
  'with',
  'mergeInto',
]);
/** Table references inside raw SQL text. */
const SQL_TABLE = /\b(?:from|join|into|update|table)\s+["`]?([a-z_][a-z0-9_]*)/gi;

interface TableReference {
  file: string;
  line: number;
  table: string;
  via: string;
}

function ownerOf(table: string): string | undefined {
  if (DB_LAYER.includes(table)) return DB_LAYER_OWNER;
  for (const [module, tables] of Object.entries(OWNERS)) if (tables.includes(table)) return module;
  return PREFIX_OWNERS.find(([prefix]) => table.startsWith(prefix))?.[1];
}

const calleeName = (e: ts.Expression): string | undefined => (ts.isIdentifier(e) ? e.text : ts.isPropertyAccessExpression(e) ? e.name.text : undefined);

function templateText(t: ts.TemplateLiteral): string {
  return ts.isNoSubstitutionTemplateLiteral(t) ? t.text : [t.head.text, ...t.templateSpans.map((s) => s.literal.text)].join(' ');
}

/** Every table reference in one file's source: Kysely calls with a literal table name, and `sql` templates. */
function tableReferences(file: string, source: string, isTable: (name: string) => boolean): TableReference[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: TableReference[] = [];
  const at = (node: ts.Node) => sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const name = calleeName(node.expression);
      const arg = node.arguments[0];
      if (name && TABLE_CALLS.has(name) && arg && (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg))) {
        const table = arg.text.trim().split(/\s+as\s+/i)[0]!;
        if (isTable(table)) out.push({ file, line: at(node), table, via: `${name}('${arg.text}')` });
      }
    }
    if (ts.isTaggedTemplateExpression(node) && calleeName(node.tag) === 'sql') {
      for (const m of templateText(node.template).matchAll(SQL_TABLE)) {
        const table = m[1]!.toLowerCase();
        if (isTable(table)) out.push({ file, line: at(node), table, via: `sql\`…${m[0]}…\`` });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** The tables the migrations create: createTable('name'), and the initial schema's seq('name') (an id-sequenced table). */
function migrationTables(): Set<string> {
  const files = MIGRATION_SOURCES.flatMap((p) => (fs.statSync(p).isDirectory() ? tsFiles(p) : [p]));
  const tables = new Set<string>();
  for (const f of files) for (const m of fs.readFileSync(f, 'utf8').matchAll(/\b(?:createTable|seq)\(\s*['"]([a-z_][a-z0-9_]*)['"]/g)) tables.add(m[1]!);
  return tables;
}

describe('table ownership', () => {
  const tables = migrationTables();

  it('finds the tables the migrations create', () => {
    // A guard on the scan itself: if these are missing, the migrations changed shape and the regex must follow.
    for (const t of ['domain_events', 'cost_events', 'workflow_transitions', 'audit_log', 'projects', 'meta', 'schema_migrations']) expect(tables).toContain(t);
  });

  it('gives every table the migrations create an owner', () => {
    const unowned = [...tables].filter((t) => ownerOf(t) === undefined).sort();
    expect(unowned, `tables without an owner in tests/architecture/table-ownership.test.ts: ${unowned.join(', ')}`).toEqual([]);
  });

  it('names no table the migrations do not create', () => {
    const stale = [...Object.values(OWNERS).flat(), ...DB_LAYER].filter((t) => !tables.has(t)).sort();
    expect(stale, `owned tables no migration creates: ${stale.join(', ')}`).toEqual([]);
  });

  it('sees Kysely calls and sql templates (the scanner works)', () => {
    const sample = [
      "db.selectFrom('stories as s').innerJoin('projects', 'projects.id', 's.project_id')",
      "db.where(({ exists, selectFrom }) => exists(selectFrom('cost_events').select('id')))",
      'sql<number>`select count(*) from workflows w join consistency_findings f on 1`',
      "// db.selectFrom('users') in a comment is not a reference",
    ].join('\n');
    const refs = tableReferences('sample.ts', sample, (t) => tables.has(t)).map((r) => `${r.line}:${r.table}`);
    expect(refs.sort()).toEqual(['1:projects', '1:stories', '2:cost_events', '3:consistency_findings', '3:workflows']);
  });

  it('has every module read and write only its own tables', () => {
    const isTable = (t: string) => tables.has(t) || ownerOf(t) !== undefined;
    const violations: string[] = [];
    for (const file of tsFiles(MODULES_DIR)) {
      const rel = path.relative(ROOT, file);
      const module = path.relative(MODULES_DIR, file).split(path.sep)[0]!;
      for (const r of tableReferences(rel, fs.readFileSync(file, 'utf8'), isTable)) {
        const owner = ownerOf(r.table);
        if (owner !== module) violations.push(`${r.file}:${r.line} (${module}) ${r.via}: ${r.table} belongs to ${owner ?? 'no module'}`);
      }
    }
    expect(violations, `move these queries into the owning module's repository and call it through its index.ts:\n${violations.join('\n')}`).toEqual([]);
  });
});
