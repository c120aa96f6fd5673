import type { DocumentMeta, Epic } from '../../../../contracts/index.js';
import { Panel } from '../../../components/Panel.js';
import { RelativeTime } from '../../../components/RelativeTime.js';
import { StatusBadge } from '../../../components/StatusBadge.js';
import { FileRef } from './doc-link.js';

const VERDICT: Record<string, string> = { accepted: 'accepted', 'accepted-with-open-items': 'accepted with open items', rejected: 'rejected' };

function Retrospective({ retro, documents }: { retro: Epic['retrospective']; documents: readonly DocumentMeta[] }) {
  if (!retro || (!retro.status && !retro.verdict && !retro.file)) return <span>no retrospective recorded</span>;
  return (
    <span className="min-w-0 break-words" data-testid="epic-retro">
      retrospective {retro.status ?? 'status unknown'}
      {retro.verdict && (
        <>
          {' · '}
          <span className={retro.verdict === 'rejected' ? 'font-semibold text-danger' : retro.verdict === 'accepted' ? 'text-ok' : 'text-warn'}>
            {VERDICT[retro.verdict] ?? retro.verdict}
          </span>
        </>
      )}
      {retro.file && (
        <>
          {' · '}
          <FileRef file={retro.file} documents={documents} label="report" />
        </>
      )}
    </span>
  );
}

/** The project's epics with their status (canonical and as BMAD wrote it) and their retrospective. */
export function EpicsPanel({ epics, documents }: { epics: readonly Epic[]; documents: readonly DocumentMeta[] }) {
  return (
    <Panel title="Epics" id="project-epics" count={epics.length}>
      {epics.length === 0 ? (
        <p className="text-sm text-muted">No epics reported for this project.</p>
      ) : (
        <ul className="divide-y divide-border text-sm">
          {epics.map((e) => (
            <li
              key={e.id}
              className="py-2"
              data-testid="epic"
              data-key={e.key ?? ''}
              data-status={e.status ?? ''}
              data-source-status={e.sourceStatus ?? ''}
              data-retro-status={e.retrospective?.status ?? ''}
              data-retro-verdict={e.retrospective?.verdict ?? ''}
            >
              <div className="flex items-start justify-between gap-2">
                <span className="min-w-0 break-words font-medium">
                  {e.key && <span className="font-normal text-muted">Epic {e.key} </span>}
                  {e.title ?? (e.key ? '' : e.id)}
                </span>
                <StatusBadge status={e.status} />
              </div>
              <p className="mt-0.5 flex flex-wrap gap-x-3 gap-y-0.5 text-xs text-muted">
                {e.sourceStatus && (
                  <span>
                    BMAD status <span className="text-fg">{e.sourceStatus}</span>
                  </span>
                )}
                <Retrospective retro={e.retrospective} documents={documents} />
                {e.statusSince && (
                  <span>
                    since <RelativeTime value={e.statusSince} />
                  </span>
                )}
              </p>
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}
