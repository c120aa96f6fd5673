import { useMutation, useQueryClient } from '@tanstack/react-query';
import { API, buildBoard, type KanbanBoard, type Status, type Story } from '../../../contracts/index.js';
import { ApiError, call } from '../../api/http.js';
import { keys } from '../../api/query-keys.js';
import { statusLabel } from '../../components/StatusBadge.js';
import { toast } from '../../components/toasts.js';

export interface Move {
  story: Story;
  to: Status;
}

function explain(err: unknown, move: Move): string {
  const what = `Could not move "${move.story.title ?? move.story.id}" to ${statusLabel(move.to)}`;
  if (!(err instanceof ApiError)) return `${what}.`;
  if (err.status === 409) return `${what}: someone else moved it first. The board shows where it is now.`;
  if (err.status === 403) return `${what}: ${err.message}.`;
  if (err.status === 0) return `${what}: the server could not be reached.`;
  return `${what}: ${err.message}.`;
}

/**
 * Moves a card optimistically: the board changes at once, the PATCH records the move as an event (which every other
 * view and browser then receives), and a refusal puts the card back with a message saying why.
 */
export function useMoveStory(projectId: string) {
  const qc = useQueryClient();
  const key = keys.board(projectId);
  return useMutation({
    mutationFn: ({ story, to }: Move) => call(API.work.moveStory, { params: { id: story.id }, body: { to, ...(story.status ? { from: story.status } : {}) } }),
    onMutate: async ({ story, to }: Move) => {
      await qc.cancelQueries({ queryKey: key });
      const before = qc.getQueryData<KanbanBoard>(key);
      if (before) {
        const moved: Story = { ...story, status: to, kanbanColumn: null, statusSince: new Date().toISOString() };
        const cards = before.columns.flatMap((c) => c.cards).map((c) => (c.id === story.id ? moved : c));
        qc.setQueryData(key, buildBoard(projectId, cards));
      }
      return { before };
    },
    onError: (err, move, context) => {
      if (context?.before) qc.setQueryData(key, context.before);
      toast(explain(err, move), 'error');
      void qc.invalidateQueries({ queryKey: key });
    },
  });
}
