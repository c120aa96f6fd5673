import type { ReactNode } from 'react';
import type { Topic } from '../../contracts/index.js';

const Cmd = ({ children }: { children: ReactNode }) => <code className="rounded bg-surface-2 px-1 py-0.5 text-xs text-fg">{children}</code>;

const README = <> See “Claude Code usage” and “Ingestion” in the README.</>;

/** What to do when nothing reports on a module: one sentence per kind of data, with the command that connects a source. */
const HOW_TO: Partial<Record<Topic, ReactNode>> = {
  cost: (
    <>
      <strong className="text-fg">No cost source is connected yet.</strong> Claude Code usage arrives by itself when the server finds transcripts on its machine
      (<Cmd>~/.claude/projects</Cmd>) for a connected project, or when Claude Code sends its telemetry to <Cmd>/v1/logs</Cmd> (OTLP); or send{' '}
      <Cmd>cost.recorded</Cmd> events to <Cmd>POST /api/v1/events</Cmd>.{README}
    </>
  ),
  agent: (
    <>
      <strong className="text-fg">No agent source is connected; these trends are computed from the events that arrive.</strong> Workflows and stories come from
      connected BMAD projects (<Cmd>bmad-ops serve --bmad DIR</Cmd>), cost and agent runs from Claude Code (its transcripts on this machine, or its OTLP
      telemetry) or <Cmd>cost.recorded</Cmd> events.{README}
    </>
  ),
};

/**
 * Said plainly, not as a warning, when no source of a kind of data is connected at all (the server's sync status for
 * the module is "unknown": nothing has ever reported it). A source that reported and then went quiet is stale
 * instead, and the stale banner says so.
 */
export function NoSourceNotice({ modules }: { modules: Topic[] }) {
  return (
    <div
      data-testid="no-source"
      data-modules={modules.join(' ')}
      className="mb-4 space-y-1 rounded-md border border-border bg-surface px-4 py-2 text-sm text-muted"
    >
      {modules.map((m) => (
        <p key={m}>
          {HOW_TO[m] ?? (
            <>
              <strong className="text-fg">No {m} source is connected yet.</strong> Connect a BMAD project with <Cmd>bmad-ops serve --bmad DIR</Cmd> or send
              events to <Cmd>POST /api/v1/events</Cmd>.{README}
            </>
          )}
        </p>
      ))}
    </div>
  );
}
