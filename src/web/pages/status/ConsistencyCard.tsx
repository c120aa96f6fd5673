import type { SloStatus, StatusResponse } from '../../../contracts/index.js';
import { formatExact, RelativeTime } from '../../components/RelativeTime.js';
import { formatMs } from './format.js';
import { SliCard } from './SliCard.js';
import { VerifyNowButton } from './VerifyNowButton.js';

const RESULT_WORD: Record<string, string> = { ok: 'No difference', mismatch: 'Differences found', error: 'Did not complete' };
const TRIGGER_WORD: Record<string, string> = { schedule: 'on schedule', cli: 'from the command line', manager: 'by a manager', start: 'at start' };

/** The last pass of the consistency monitor: when, how long, what it found. */
export function ConsistencyCard({ check, slo }: { check: StatusResponse['consistency']; slo: SloStatus | undefined }) {
  const at = check ? (check.finishedAt ?? check.startedAt) : null;
  return (
    <SliCard
      id="consistency"
      title="Last consistency check"
      slo={slo}
      figures={[
        {
          id: 'consistency-result',
          label: 'Result',
          value: check ? `${RESULT_WORD[check.result] ?? check.result}${check.result === 'mismatch' ? ` (${check.findings})` : ''}` : null,
        },
        { id: 'consistency-duration', label: 'Took', value: check?.durationMs != null ? formatMs(check.durationMs) : null },
        { id: 'consistency-trigger', label: 'Started', value: check ? (TRIGGER_WORD[check.trigger] ?? check.trigger) : null },
      ]}
    >
      <p className="mt-2 text-sm" data-testid="consistency-when">
        <span className="text-muted">Finished:</span> {at ? <RelativeTime value={at} /> : <span className="text-muted">no check has run yet</span>}
        {at && <span className="text-muted"> ({formatExact(at)})</span>}
      </p>
      <VerifyNowButton />
    </SliCard>
  );
}
