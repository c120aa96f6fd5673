import { Link } from 'react-router';
import type { Workflow } from '../../../contracts/index.js';

/** A run's story by its title (its id while the story is not known yet), linked to the story page; the full title on hover. */
export function StoryLink({ w, className = 'hover:underline' }: { w: Pick<Workflow, 'storyId' | 'storyTitle'>; className?: string }) {
  if (!w.storyId) return <span className="text-muted">none</span>;
  const label = w.storyTitle ?? w.storyId;
  return (
    <Link to={`/stories/${encodeURIComponent(w.storyId)}`} className={className} title={label} data-testid="workflow-story">
      {label}
    </Link>
  );
}
