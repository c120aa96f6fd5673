import type { ReactNode, RefObject } from 'react';
import { Link } from 'react-router';
import type { API, EndpointResponse } from '../../../contracts/index.js';
import type { Names } from '../../api/use-names.js';
import { findingLocation, FINDING_LABEL, FINDING_TONE } from '../../components/integrity/findings.js';
import { ModelName } from '../../components/ModelName.js';
import { Panel } from '../../components/Panel.js';
import { RelativeTime } from '../../components/RelativeTime.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { Empty, PageHeader } from '../../components/states.js';
import { kindLabel } from '../documents/content.js';
import { CostFigures } from './cost.js';

type StoryDetail = EndpointResponse<typeof API.work.story>;
type Story = StoryDetail['story'];

function Info({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs uppercase text-muted">{label}</dt>
      <dd className="break-words">{children}</dd>
    </div>
  );
}

/** The breadcrumb (project, board, story key) and the header: title, status, and the BMAD column and status when they differ. */
export function StoryHeader({ s, names }: { s: Story; names: Names }) {
  const d = s.details;
  const title = s.title ?? s.id;
  // The BMAD column is the upstream board's own name for where the card sits ("review"); said only when it adds something.
  const column = s.kanbanColumn && s.kanbanColumn !== s.status ? s.kanbanColumn : null;
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 flex flex-wrap gap-x-1 text-sm">
        {s.projectId ? (
          <>
            <Link to={`/projects/${encodeURIComponent(s.projectId)}`} className="text-accent underline">
              {names.project(s.projectId)}
            </Link>
            <span aria-hidden="true">/</span>
            <Link to={`/kanban?projectId=${encodeURIComponent(s.projectId)}`} className="text-accent underline">
              Board
            </Link>
            <span aria-hidden="true">/</span>
          </>
        ) : null}
        <span className="min-w-0 break-words text-muted">{d?.key ?? s.id}</span>
      </nav>
      <PageHeader title={title}>
        <div className="flex flex-wrap items-center gap-2 text-sm" data-testid="story-status">
          <StatusBadge status={s.status} />
          {column && (
            <span className="rounded bg-surface-2 px-2 py-0.5 text-xs" title="Column on the upstream (BMAD) board">
              <span className="text-muted">BMAD column </span>
              {column}
            </span>
          )}
          {d?.sourceStatus && d.sourceStatus !== column && (
            <span className="rounded bg-surface-2 px-2 py-0.5 text-xs">
              <span className="text-muted">BMAD status </span>
              {d.sourceStatus}
            </span>
          )}
        </div>
      </PageHeader>
    </>
  );
}

/** The story's details: epic, tasks, model, owner, assignee, status age and file. */
export function StoryDetails({ s, names }: { s: Story; names: Names }) {
  const d = s.details;
  return (
    <dl className="mb-4 grid grid-cols-2 gap-3 rounded-md border border-border bg-surface p-4 text-sm lg:grid-cols-4" data-testid="story-details">
      <Info label="Epic">{s.epic ?? 'none'}</Info>
      <Info label="Tasks">{d?.tasksTotal != null ? `${d.tasksDone ?? 0} of ${d.tasksTotal} done` : 'not known'}</Info>
      <Info label="Agent model">{d?.agentModel ? <ModelName id={d.agentModel} /> : 'not known'}</Info>
      <Info label="Owner">{names.person(s.ownerId) ?? 'unassigned'}</Info>
      {d?.assignee && <Info label="Assignee">{d.assignee}</Info>}
      <Info label="Status since">
        <RelativeTime value={s.statusSince} />
      </Info>
      <div className="col-span-2 min-w-0 lg:col-span-3">
        <dt className="text-xs uppercase text-muted">File</dt>
        <dd>{d?.file ? <code className="break-all">{d.file}</code> : 'none'}</dd>
      </div>
    </dl>
  );
}

/** The story's cost by agent and model, as a table. */
function CostBreakdown({ costByAgentModel, names }: { costByAgentModel: StoryDetail['costByAgentModel']; names: Names }) {
  return (
    <div className="overflow-x-auto" role="region" aria-label="Cost by agent and model" tabIndex={0}>
      <table className="w-full min-w-[18rem] text-sm" data-testid="story-cost-breakdown">
        <caption className="sr-only">Cost by agent and model</caption>
        <thead>
          <tr className="border-b border-border text-left text-xs uppercase text-muted">
            <th scope="col" className="py-1 pr-3 font-medium">
              Agent
            </th>
            <th scope="col" className="py-1 pr-3 font-medium">
              Model
            </th>
            <th scope="col" className="py-1 text-right font-medium">
              Cost
            </th>
          </tr>
        </thead>
        <tbody>
          {costByAgentModel.map((c) => (
            <tr key={`${c.agentId ?? ''}\u0000${c.model ?? ''}`} className="border-b border-border last:border-0">
              <td className="py-1.5 pr-3">{names.agent(c.agentId) ?? <span className="text-muted">no agent</span>}</td>
              <td className="py-1.5 pr-3 wrap-anywhere">{c.model ? <ModelName id={c.model} /> : <span className="text-muted">no model</span>}</td>
              <td className="py-1.5 text-right">
                <CostFigures cost={{ availability: c.totals.length > 0 ? 'available' : 'unavailable', totals: c.totals, unpricedEvents: c.unpricedEvents }} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** What the story cost to date, and by agent and model; flashes (through flashRef) when a live update changes it. */
export function StoryCost({
  s,
  costByAgentModel,
  names,
  flashRef,
}: {
  s: Story;
  costByAgentModel: StoryDetail['costByAgentModel'];
  names: Names;
  flashRef: RefObject<HTMLDivElement | null>;
}) {
  return (
    <div ref={flashRef} className="mb-4 rounded-md border border-border bg-surface p-4" data-testid="story-cost">
      <h2 className="mb-1 font-semibold">Cost to date</h2>
      <p
        className={`text-lg ${costByAgentModel.length > 0 ? 'mb-3' : ''}`}
        data-testid="story-cost-total"
        data-availability={s.cost?.availability ?? 'unavailable'}
      >
        <CostFigures cost={s.cost} />
        {s.cost?.availability !== 'available' && !s.cost?.unpricedEvents && (
          // Said in words next to the dash; screen readers already hear it as the dash's label.
          <span aria-hidden="true" className="ml-2 text-sm text-muted">
            no cost recorded for this story yet
          </span>
        )}
      </p>
      {costByAgentModel.length > 0 && <CostBreakdown costByAgentModel={costByAgentModel} names={names} />}
    </div>
  );
}

/** The documents linked to the story. */
export function StoryDocuments({ documents, truncated }: { documents: StoryDetail['documents']; truncated: boolean }) {
  return (
    <Panel title="Documents" id="story-documents" count={documents.length} truncated={truncated}>
      {documents.length === 0 ? (
        <Empty>No documents linked to this story.</Empty>
      ) : (
        <ul className="divide-y divide-border text-sm">
          {documents.map((doc) => (
            <li key={doc.id} className="flex items-center justify-between gap-2 py-1.5">
              <Link to={`/documents/${encodeURIComponent(doc.id)}`} className="min-w-0 truncate text-accent hover:underline" title={doc.title}>
                {doc.title}
              </Link>
              {doc.kind && <span className="shrink-0 text-xs text-muted">{kindLabel(doc.kind)}</span>}
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}

/** The consistency findings about the story. */
export function StoryFindings({ s }: { s: Story }) {
  return (
    <Panel title="Findings" id="story-findings" count={s.findings.length}>
      {s.findings.length === 0 ? (
        <p className="text-sm text-muted">No consistency findings for this story.</p>
      ) : (
        <ul className="divide-y divide-border text-sm">
          {s.findings.map((f, i) => {
            const where = findingLocation(f);
            return (
              <li key={`${f.kind}:${where ?? ''}:${i}`} className="flex flex-col gap-1 py-2" data-kind={f.kind}>
                <span className={`self-start rounded px-1.5 py-0.5 text-xs font-semibold ${FINDING_TONE[f.kind]}`}>
                  <span aria-hidden="true">⚠ </span>
                  {FINDING_LABEL[f.kind]}
                </span>
                <p className="break-words">{f.message}</p>
                {where && <code className="break-all text-xs text-muted">{where}</code>}
              </li>
            );
          })}
        </ul>
      )}
    </Panel>
  );
}
