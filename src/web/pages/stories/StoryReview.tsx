import type { StoryDetailsResponse } from '../../../contracts/index.js';
import { CommitHash } from '../../components/history/CommitRef.js';
import { DeferredItemRow } from '../../components/DeferredItemRow.js';
import { Panel } from '../../components/Panel.js';

const COUNTS = [
  ['open', 'Open'],
  ['resolved', 'Resolved'],
  ['deferred', 'Deferred'],
  ['decisions', 'Decisions'],
] as const;

const isHash = (v: string) => /^[0-9a-f]{7,64}$/i.test(v);

/** What a review left on the story: its findings by state, the items deferred for later, and the commit a build started from. */
export function StoryReview({ details }: { details: StoryDetailsResponse | null }) {
  const findings = details?.reviewFindings ?? null;
  const deferred = details?.deferred ?? [];
  const baseline = details?.baselineCommit ?? null;
  return (
    <Panel title="Review" id="story-review">
      <h3 className="mb-1 text-xs uppercase text-muted">Review findings</h3>
      {findings ? (
        <dl className="mb-3 grid grid-cols-4 gap-2 text-center" data-testid="review-findings">
          {COUNTS.map(([key, label]) => (
            <div key={key} className="min-w-0 rounded bg-surface-2 px-1 py-1.5" data-testid="review-count" data-key={key} data-value={findings[key]}>
              <dt className="truncate text-[11px] text-muted" title={label}>
                {label}
              </dt>
              <dd className={`text-lg font-semibold ${key === 'open' && findings.open > 0 ? 'text-warn' : ''}`}>{findings[key]}</dd>
            </div>
          ))}
        </dl>
      ) : (
        <p className="mb-3 text-sm text-muted">No review findings recorded.</p>
      )}
      <h3 className="mb-1 text-xs uppercase text-muted">Deferred ({deferred.length})</h3>
      {deferred.length === 0 ? (
        <p className="mb-3 text-sm text-muted">Nothing deferred.</p>
      ) : (
        <ul className="mb-3 divide-y divide-border text-sm" data-testid="story-deferred">
          {deferred.map((d, i) => (
            <DeferredItemRow key={`${d.summary}:${i}`} item={d} />
          ))}
        </ul>
      )}
      <h3 className="mb-1 text-xs uppercase text-muted">Baseline commit</h3>
      <p className="text-sm" data-testid="baseline-commit">
        {baseline === null ? (
          <span className="text-muted">none recorded</span>
        ) : baseline === 'NO_VCS' ? (
          'no version control'
        ) : isHash(baseline) ? (
          <CommitHash commit={{ hash: baseline, subject: null }} />
        ) : (
          <code className="break-all">{baseline}</code>
        )}
      </p>
    </Panel>
  );
}
