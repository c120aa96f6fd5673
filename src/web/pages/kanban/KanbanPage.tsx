import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import type { Status, Story } from '../../../contracts/index.js';
import { ApiError } from '../../api/http.js';
import { queries } from '../../api/queries.js';
import { useNames } from '../../api/use-names.js';
import { canMoveCards } from '../../app/session.js';
import { StaleBanner } from '../../components/StaleBanner.js';
import { Empty, ErrorState, Loading, PageHeader } from '../../components/states.js';
import { Board } from './Board.js';
import { useMoveStory } from './use-move-story.js';

export default function KanbanPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const names = useNames();
  const projectId = params.get('projectId') ?? '';
  const me = useQuery(queries.me());
  const workspace = useQuery(queries.workspace());
  const projects = names.directory?.projects;

  // No project chosen: open the first one, keeping it in the URL so the view can be shared.
  useEffect(() => {
    if (!projectId && projects && projects.length > 0) void navigate(`/kanban?projectId=${encodeURIComponent(projects[0]!.id)}`, { replace: true });
  }, [projectId, projects, navigate]);

  const board = useQuery({ ...queries.board(projectId), enabled: projectId !== '' });
  const move = useMoveStory(projectId);
  const { mutate } = move;
  const onMove = useCallback((story: Story, to: Status) => mutate({ story, to }), [mutate]);
  const editable = workspace.data?.kanbanEditable === true && canMoveCards(me.data);

  return (
    <section>
      <PageHeader title="Kanban">
        <div className="flex flex-wrap items-center gap-3 text-sm">
          <label className="flex min-w-0 items-center gap-2">
            <span className="text-muted">Project</span>
            <select
              name="projectId"
              value={projectId}
              onChange={(e) => void navigate(`/kanban?projectId=${encodeURIComponent(e.target.value)}`)}
              className="min-w-0 max-w-[14rem] rounded border border-border bg-surface px-2 py-1 text-fg"
            >
              {!projectId && <option value="">Choose a project</option>}
              {(projects ?? []).map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
          <span className="rounded bg-surface-2 px-2 py-0.5 text-xs text-muted" data-testid="board-mode">
            {editable ? 'Editable: drag cards or use Move' : workspace.data?.kanbanEditable ? 'Read-only for your role' : 'Read-only'}
          </span>
        </div>
      </PageHeader>
      <StaleBanner modules={['story']} />
      {!projectId ? (
        projects && projects.length === 0 ? (
          <Empty>No projects yet. Connect a BMAD project or send events to the ingestion API.</Empty>
        ) : (
          <Loading what="projects" />
        )
      ) : board.isPending ? (
        <Loading what="the board" />
      ) : board.error ? (
        board.error instanceof ApiError && board.error.status === 404 ? (
          <Empty>No project has the id {projectId}.</Empty>
        ) : (
          <ErrorState error={board.error} onRetry={() => void board.refetch()} />
        )
      ) : (
        <Board board={board.data} names={names} editable={editable} onMove={onMove} />
      )}
    </section>
  );
}
