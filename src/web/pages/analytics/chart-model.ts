import type { KpiDefinition, KpiKey, TrendsResponse } from '../../../contracts/index.js';

/** One line of a chart: an agent's values per bucket; null is "no data" (drawn as a gap, never as zero). */
export interface ChartLine {
  agentId: string;
  label: string;
  colorIndex: number;
  values: (number | null)[];
  lineageRefs: (string | null)[];
}

/** One small chart: a KPI in one unit (money KPIs get one chart per currency, never mixed on an axis). */
export interface ChartGroup {
  key: string;
  kpi: KpiKey;
  definition: KpiDefinition | undefined;
  unit: string;
  granularity: 'hour' | 'day';
  /** Bucket starts, epoch ms. */
  times: number[];
  starts: string[];
  lines: ChartLine[];
  /** Whether any line has a value at all: if not, the chart says "no data" instead of drawing an empty axis. */
  hasData: boolean;
}

/**
 * Turns the trends response into charts: one per (KPI, unit), in the order the KPIs were chosen, each line aligned on
 * the buckets of the response. An agent that was asked for but has no series for a KPI gets a line of nulls, so it is
 * listed as "no data" rather than silently missing.
 */
export function buildCharts(
  data: TrendsResponse,
  kpis: readonly KpiKey[],
  catalogue: readonly KpiDefinition[],
  requestedAgents: readonly string[],
  agentName: (id: string) => string,
): ChartGroup[] {
  // Stable colours across charts: an agent has the same colour in every chart on the page.
  const agentOrder = [...new Set([...requestedAgents, ...data.series.map((s) => s.agentId).sort()])];
  const colorOf = new Map(agentOrder.map((a, i) => [a, i]));
  // Every bucket of the answer, also for a KPI without any series (an asked-for agent with no cost has no currency).
  const size = data.bucket === 'hour' ? 3_600_000 : 86_400_000;
  const all: string[] = [];
  for (let t = Date.parse(data.start); t < Date.parse(data.end) && all.length <= 10_000; t += size) all.push(new Date(t).toISOString());
  const groups: ChartGroup[] = [];
  for (const kpi of kpis) {
    const definition = catalogue.find((k) => k.id === kpi);
    const series = data.series.filter((s) => s.kpi === kpi);
    const units = [...new Set(series.map((s) => s.unit))].sort();
    if (units.length === 0) units.push(definition?.unit === 'currency' ? '' : (definition?.unit ?? ''));
    for (const unit of units) {
      const inUnit = series.filter((s) => s.unit === unit);
      const starts = [...new Set([...all, ...inUnit.flatMap((s) => s.points.map((p) => p.start))])].sort();
      const first = inUnit[0];
      const index = new Map(starts.map((s, i) => [s, i]));
      const lines: ChartLine[] = inUnit.map((s) => {
        const values: (number | null)[] = starts.map(() => null);
        const lineageRefs: (string | null)[] = starts.map(() => null);
        for (const p of s.points) {
          const i = index.get(p.start)!;
          values[i] = p.value;
          lineageRefs[i] = p.lineageRef;
        }
        return { agentId: s.agentId, label: agentName(s.agentId), colorIndex: colorOf.get(s.agentId) ?? 0, values, lineageRefs };
      });
      for (const agentId of requestedAgents)
        if (!lines.some((l) => l.agentId === agentId))
          lines.push({
            agentId,
            label: agentName(agentId),
            colorIndex: colorOf.get(agentId) ?? 0,
            values: starts.map(() => null),
            lineageRefs: starts.map(() => null),
          });
      lines.sort((a, b) => a.colorIndex - b.colorIndex);
      groups.push({
        key: `${kpi}:${unit}`,
        kpi,
        definition,
        unit: unit || (first?.unit ?? ''),
        granularity: data.bucket,
        times: starts.map((s) => Date.parse(s)),
        starts,
        lines,
        hasData: lines.some((l) => l.values.some((v) => v !== null)),
      });
    }
  }
  return groups;
}

/**
 * An agent's colour, as one of the theme's tokens the shared chart resolves (so it follows light and dark): chosen by
 * the agent's place on the page, so an agent has the same colour in every chart.
 */
const PALETTE_VARS = ['--accent', '--warn', '--ok', '--info', '--danger', '--neutral'];
export const colorVarOf = (index: number): string => PALETTE_VARS[index % PALETTE_VARS.length]!;
