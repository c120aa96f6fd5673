import type { StoryDetailsResponse } from '../../../contracts/index.js';
import { FilePath } from '../../components/FilePath.js';
import { Panel } from '../../components/Panel.js';

type Records = NonNullable<StoryDetailsResponse['records']>;

const RECORD_LABEL: Record<Records[number]['kind'], string> = {
  'sprint-status': 'Sprint status',
  'story-file': 'Story file',
  spec: 'Build spec',
  plan: 'Plan',
  tickets: 'Ticket',
};

/**
 * Every place the story's status is written, with the value each holds. BMAD keeps several; when they disagree, the
 * ones that differ from the sprint status (or the first record) are marked, which is the drift the findings report.
 */
export function StoryRecords({ records }: { records: Records | null }) {
  const list = records ?? [];
  const reference = (list.find((r) => r.kind === 'sprint-status') ?? list[0])?.value ?? null;
  const disagree = new Set(list.map((r) => r.value ?? null)).size > 1;
  return (
    <Panel title="Where its status is written" id="story-records" count={list.length}>
      {list.length === 0 ? (
        <p className="text-sm text-muted">The source named no file that records this story&apos;s status.</p>
      ) : (
        <>
          {disagree && (
            <p className="mb-2 rounded bg-warn-bg px-2 py-1 text-xs text-warn" data-testid="records-disagree">
              <span aria-hidden="true">⚠ </span>The records disagree: this is the drift BMAD leaves when one file is updated and another is not.
            </p>
          )}
          <ul className="divide-y divide-border text-sm" data-testid="records">
            {list.map((r, i) => {
              const differs = disagree && (r.value ?? null) !== reference;
              return (
                <li key={`${r.kind}:${r.file}:${i}`} className="flex flex-col gap-0.5 py-2" data-testid="record" data-kind={r.kind} data-value={r.value ?? ''}>
                  <div className="flex flex-wrap items-center justify-between gap-2">
                    <span className="font-medium">{RECORD_LABEL[r.kind]}</span>
                    <span className={`rounded px-1.5 py-0.5 text-xs ${differs ? 'bg-warn-bg font-semibold text-warn' : 'bg-surface-2'}`}>
                      {differs && <span aria-hidden="true">⚠ </span>}
                      {r.value ?? <span className="text-muted">no value</span>}
                      {differs && <span className="sr-only"> (differs)</span>}
                    </span>
                  </div>
                  <span className="text-muted">
                    <FilePath path={`${r.file}${r.line ? `:${r.line}` : ''}`} />
                  </span>
                </li>
              );
            })}
          </ul>
        </>
      )}
    </Panel>
  );
}
