import { MODULES, SLI_FOLD, SLI_KEYS, type Module, type SliKey } from '../../../contracts/index.js';

export type SliValues = Record<SliKey, number | null>;
export type LastEvents = Partial<Record<Module, string>>;

/** What one row's values_json holds: every SLI (null where unknown) and, on raw samples, each module's last event. */
export interface SampleBody {
  values: SliValues;
  lastEventAt: LastEvents;
}

export const emptyValues = (): SliValues => Object.fromEntries(SLI_KEYS.map((k) => [k, null])) as SliValues;

export function encodeSample(body: { values: SliValues; lastEventAt?: LastEvents }): string {
  return JSON.stringify({ v: body.values, ...(body.lastEventAt ? { e: body.lastEventAt } : {}) });
}

/**
 * Reads a row written by this or an older build: an SLI added later reads as null (no data) for older rows, an SLI
 * since removed is dropped, and anything that is not a finite number is null.
 */
export function decodeSample(json: string): SampleBody {
  let raw: { v?: Record<string, unknown>; e?: Record<string, unknown> };
  try {
    raw = JSON.parse(json) as typeof raw;
  } catch {
    raw = {};
  }
  const values = emptyValues();
  for (const k of SLI_KEYS) {
    const v = raw.v?.[k];
    if (typeof v === 'number' && Number.isFinite(v)) values[k] = v;
  }
  const lastEventAt: LastEvents = {};
  for (const m of MODULES) {
    const at = raw.e?.[m];
    if (typeof at === 'string') lastEventAt[m] = at;
  }
  return { values, lastEventAt };
}

/** Folds samples into one bucket, SLI by SLI (SLI_FOLD: the peak, or the mean of rates), ignoring unknowns. */
export function foldSamples(samples: readonly { values: SliValues; samples?: number }[]): SliValues {
  const out = emptyValues();
  for (const k of SLI_KEYS) {
    let n = 0;
    let total = 0;
    let peak = -Infinity;
    for (const s of samples) {
      const v = s.values[k];
      if (v === null) continue;
      // A row that already folds several samples weighs as many in a mean.
      const w = s.samples ?? 1;
      n += w;
      total += v * w;
      peak = Math.max(peak, v);
    }
    if (n > 0) out[k] = SLI_FOLD[k] === 'max' ? peak : total / n;
  }
  return out;
}
