import type { DocumentMeta, ProjectDetails } from '../../../../contracts/index.js';
import { Panel } from '../../../components/Panel.js';
import { RelativeTime } from '../../../components/RelativeTime.js';
import { FileRef } from './doc-link.js';

type Gate = NonNullable<ProjectDetails['readiness']>['gate'];

const TONE: Record<Gate, { tone: string; icon: string; says: string }> = {
  PASS: { tone: 'bg-ok-bg text-ok', icon: '✓', says: 'ready to build' },
  READY: { tone: 'bg-ok-bg text-ok', icon: '✓', says: 'ready to build' },
  CONCERNS: { tone: 'bg-warn-bg text-warn', icon: '⚠', says: 'go ahead with care: the report lists concerns' },
  'NEEDS WORK': { tone: 'bg-warn-bg text-warn', icon: '⚠', says: 'planning needs more work before building' },
  FAIL: { tone: 'bg-danger-bg text-danger', icon: '✕', says: 'not ready: the check failed' },
  'NOT READY': { tone: 'bg-danger-bg text-danger', icon: '✕', says: 'not ready to build' },
};

/** The implementation-readiness gate: the verdict in words and colour, the report it comes from, and when. */
export function Readiness({ readiness, documents }: { readiness: ProjectDetails['readiness']; documents: readonly DocumentMeta[] }) {
  return (
    <Panel title="Readiness" id="project-readiness">
      {!readiness ? (
        <p className="text-sm text-muted">No implementation-readiness check recorded.</p>
      ) : (
        <div className="text-sm" data-testid="readiness" data-gate={readiness.gate} data-file={readiness.file}>
          <p className="flex flex-wrap items-center gap-2">
            <span
              className={`inline-flex items-center gap-1 rounded px-2 py-0.5 text-sm font-semibold ${TONE[readiness.gate].tone}`}
              data-testid="readiness-gate"
            >
              <span aria-hidden="true">{TONE[readiness.gate].icon}</span>
              {readiness.gate}
            </span>
            <span className="text-muted">{TONE[readiness.gate].says}</span>
          </p>
          <p className="mt-2 min-w-0 break-words text-xs">
            <span className="text-muted">From </span>
            <FileRef file={readiness.file} documents={documents} />
            {readiness.at && (
              <>
                <span className="text-muted">, </span>
                <RelativeTime value={readiness.at} />
              </>
            )}
          </p>
        </div>
      )}
    </Panel>
  );
}
