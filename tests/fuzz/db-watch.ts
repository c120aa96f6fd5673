import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';

/**
 * What the server has stored, read through a read-only connection of its own (WAL: it sees every commit): the row
 * count and a digest of the content of each table, so an insert, an update and a delete all show.
 */
export interface Snapshot {
  tables: Record<string, { rows: number; digest: string }>;
  /** Audit entries that record something that succeeded (failed sign-ins are audited on purpose). */
  auditSuccesses: number;
}

/** The audit log grows with every failed sign-in: compared by its successes instead. */
const AUDIT = 'audit_log';

export class DbWatch {
  private readonly db: Database.Database;
  private readonly reads: { name: string; all: Database.Statement }[];
  private readonly successes: Database.Statement;

  constructor(file: string) {
    this.db = new Database(file, { readonly: true, fileMustExist: true });
    const names = (
      this.db.prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`).all() as { name: string }[]
    )
      .map((r) => r.name)
      .filter((n) => n !== AUDIT);
    this.reads = names.map((name) => ({ name, all: this.db.prepare(`select * from "${name.replace(/"/g, '""')}"`).raw(true) }));
    this.successes = this.db.prepare(`select count(*) as n from ${AUDIT} where outcome <> 'failure'`);
  }

  /** SQLite's data_version: changes whenever another connection commits. Cheap: read it before a full snapshot. */
  version(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  snapshot(): Snapshot {
    const tables: Snapshot['tables'] = {};
    for (const { name, all } of this.reads) {
      const rows = all.all() as unknown[][];
      const h = createHash('sha1');
      for (const row of rows)
        h.update(JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : Buffer.isBuffer(v) ? v.toString('hex') : v)));
      tables[name] = { rows: rows.length, digest: h.digest('hex') };
    }
    return { tables, auditSuccesses: (this.successes.get() as { n: number }).n };
  }

  close(): void {
    this.db.close();
  }
}

/** Tables the server writes on its own clock (SLI samples, monitor passes, alert bookkeeping), whatever requests come. */
const BACKGROUND = ['sli_samples', 'consistency_runs', 'alert_repeats', 'alert_deliveries'];

/** What changed between two snapshots, for a person: `table: 12 -> 13 rows`, `table: content changed`; empty if nothing. */
export function diff(before: Snapshot, after: Snapshot, ignore: readonly string[] = BACKGROUND): string[] {
  const out: string[] = [];
  for (const [name, a] of Object.entries(after.tables)) {
    if (ignore.includes(name)) continue;
    const b = before.tables[name];
    if (!b) out.push(`${name}: new table`);
    else if (b.rows !== a.rows) out.push(`${name}: ${b.rows} -> ${a.rows} rows`);
    else if (b.digest !== a.digest) out.push(`${name}: content changed`);
  }
  if (before.auditSuccesses !== after.auditSuccesses) out.push(`audit_log: ${after.auditSuccesses - before.auditSuccesses} new successful action(s)`);
  return out;
}
