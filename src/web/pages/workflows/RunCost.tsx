import type { WorkflowCost } from '../../../contracts/index.js';
import { formatMoney, NoCost } from '../stories/cost.js';

const unpricedText = (n: number) => `${n} unpriced request${n === 1 ? '' : 's'}`;

/** A run's cost per currency ("—" when no request is known for it), with its requests and tokens on hover. */
export function RunCost({ cost, detail = false }: { cost: WorkflowCost | null; detail?: boolean }) {
  if (!cost) return <NoCost label="no LLM requests recorded for this run" />;
  const t = cost.tokens;
  const title = `${cost.requests} request${cost.requests === 1 ? '' : 's'}: ${t.input.toLocaleString()} input, ${t.output.toLocaleString()} output, ${t.cacheWrite.toLocaleString()} cache write, ${t.cacheRead.toLocaleString()} cache read tokens`;
  return (
    <span title={title} data-testid="run-cost">
      {cost.totals.length === 0 ? (
        <NoCost label={`no priced cost (${unpricedText(cost.unpriced)})`} />
      ) : (
        cost.totals.map((x, i) => (
          <span key={x.currency} className="whitespace-nowrap tabular-nums" data-currency={x.currency} data-amount={x.amount}>
            {i > 0 && <span aria-hidden="true"> · </span>}
            {formatMoney(x.amount, x.currency)}
          </span>
        ))
      )}
      {cost.totals.length > 0 && cost.unpriced > 0 && <span className="text-muted"> + {unpricedText(cost.unpriced)}</span>}
      {detail && (
        <span className="block text-xs text-muted">
          {cost.requests} request{cost.requests === 1 ? '' : 's'} · {(t.input + t.output + t.cacheWrite + t.cacheRead).toLocaleString()} tokens
        </span>
      )}
    </span>
  );
}
