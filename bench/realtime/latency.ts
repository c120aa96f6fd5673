/** Latency summaries shared by the client swarm and the bench that merges several swarms' samples. */
export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles of the samples; sorts them in place. */
export function summarise(samples: Float64Array): LatencySummary {
  if (samples.length === 0) return { count: 0, p50: NaN, p95: NaN, p99: NaN, max: NaN, mean: NaN };
  samples.sort();
  const at = (p: number) => samples[Math.min(samples.length - 1, Math.ceil((p / 100) * samples.length) - 1)]!;
  let sum = 0;
  for (const v of samples) sum += v;
  return { count: samples.length, p50: at(50), p95: at(95), p99: at(99), max: samples[samples.length - 1]!, mean: sum / samples.length };
}

/** Samples across IPC's JSON channel: the bytes of a Float64Array in base64, not millions of decimal numbers. */
export const packSamples = (a: Float64Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

export function unpackSamples(text: string): Float64Array {
  const bytes = Buffer.from(text, 'base64');
  const out = new Float64Array(bytes.length / 8);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
