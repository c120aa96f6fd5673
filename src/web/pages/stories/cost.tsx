import type { CostPerDoneStory, CostToDate } from '../../../contracts/index.js';

const formatters = new Map<string, Intl.NumberFormat>();

/**
 * An amount in its own currency, in the reader's locale. Sub-unit amounts (an agent call costs fractions of a cent)
 * keep up to four decimals, so they do not all read "$0.00".
 */
export function formatMoney(amount: number, currency: string): string {
  const small = amount !== 0 && Math.abs(amount) < 1;
  const key = `${currency}:${small}`;
  let f = formatters.get(key);
  if (!f) {
    try {
      f = new Intl.NumberFormat(undefined, { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: small ? 4 : 2 });
    } catch {
      // A code the runtime does not know as a currency: still one figure per currency, named by its code.
      return `${amount.toFixed(2)} ${currency}`;
    }
    formatters.set(key, f);
  }
  return f.format(amount);
}

/** Unknown cost is a dash with words for screen readers, never a made-up $0.00. */
export function NoCost({ label = 'no cost recorded' }: { label?: string }) {
  return (
    <span role="img" aria-label={label} title={label[0]!.toUpperCase() + label.slice(1)} data-testid="cost-unavailable">
      —
    </span>
  );
}

const unpricedText = (n: number) => `${n} unpriced record${n === 1 ? '' : 's'}`;

/** Cost to date: one figure per currency (never added together), and how many records had no price. */
export function CostFigures({ cost, showUnpriced = true }: { cost: CostToDate | undefined; showUnpriced?: boolean }) {
  if (!cost || cost.availability === 'unavailable') {
    return (
      <>
        <NoCost label={cost && cost.unpricedEvents > 0 ? `no priced cost (${unpricedText(cost.unpricedEvents)})` : 'no cost recorded'} />
        {showUnpriced && cost && cost.unpricedEvents > 0 && <span className="text-muted"> ({unpricedText(cost.unpricedEvents)})</span>}
      </>
    );
  }
  return (
    <>
      {cost.totals.map((t, i) => (
        <span key={t.currency} className="whitespace-nowrap tabular-nums" data-currency={t.currency}>
          {i > 0 && <span aria-hidden="true"> · </span>}
          {formatMoney(t.amount, t.currency)}
        </span>
      ))}
      {showUnpriced && cost.unpricedEvents > 0 && (
        <span className="text-muted" title="Records without a price are counted, not added as zero">
          {' '}
          + {unpricedText(cost.unpricedEvents)}
        </span>
      )}
    </>
  );
}

const PER_STORY_REASON: Record<NonNullable<CostPerDoneStory['reason']>, string> = {
  no_done_stories: 'no done stories yet',
  no_cost: 'no cost recorded',
};

/** Cost per done story, per currency; a dash saying why when there is nothing to divide or nothing to divide by. */
export function PerDoneStory({ value }: { value: CostPerDoneStory | undefined }) {
  if (!value || value.availability === 'unavailable') {
    const why = value?.reason ? PER_STORY_REASON[value.reason] : 'not known';
    return (
      <span data-testid="cost-unavailable">
        <span aria-hidden="true">— </span>
        <span className="text-xs text-muted">({why})</span>
      </span>
    );
  }
  return (
    <>
      {value.amounts.map((a, i) => (
        <span key={a.currency} className="whitespace-nowrap tabular-nums" data-currency={a.currency}>
          {i > 0 && <span aria-hidden="true"> · </span>}
          {formatMoney(a.amount, a.currency)}
        </span>
      ))}
    </>
  );
}
