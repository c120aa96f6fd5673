import fs from 'node:fs';
import os from 'node:os';

/** A whole-number setting from the environment (BENCH_…), at least `min`; a bad value stops the bench with its name. */
export function envInt(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number ≥ ${min} (got ${raw})`);
  return n;
}

/** The folder benches make their temp directories in: BENCH_TMPDIR (created if missing) or the system's. */
export function benchTmpBase(): string {
  const base = process.env.BENCH_TMPDIR;
  if (base === undefined || base === '') return os.tmpdir();
  fs.mkdirSync(base, { recursive: true });
  return base;
}
