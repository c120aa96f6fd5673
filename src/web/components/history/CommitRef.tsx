import type { StatusChange } from '../../../contracts/index.js';

type Commit = NonNullable<StatusChange['commit']>;

/** Git's usual short form of an object name. */
export const shortHash = (hash: string) => hash.slice(0, 7);

/** A commit's short hash, with the full hash and its subject on hover. */
export function CommitHash({ commit, className = '' }: { commit: Commit; className?: string }) {
  return (
    <code
      className={`rounded bg-surface-2 px-1 py-px text-xs ${className}`}
      title={commit.subject ? `${commit.hash}\n${commit.subject}` : commit.hash}
      data-testid="commit-hash"
      data-hash={commit.hash}
    >
      {shortHash(commit.hash)}
    </code>
  );
}

const SEEN_IN_WORDS: Record<NonNullable<StatusChange['seenIn']>, string> = {
  commit: 'in a commit',
  working_tree: 'in the working tree',
  dashboard: 'on the dashboard',
  api: 'through the API',
  claude_code: 'in a Claude Code session',
};

/**
 * Where a change was seen: a commit (short hash, the full hash and subject on hover, the subject in words beside it,
 * wrapping rather than cut: a phone has no hover), the working tree, the dashboard. Nothing when the source did not say.
 */
export function SeenIn({ seenIn, commit, subject = true }: { seenIn: StatusChange['seenIn']; commit: StatusChange['commit']; subject?: boolean }) {
  if (commit) {
    return (
      <span className="min-w-0 break-words" data-testid="seen-in" data-seen-in={seenIn ?? 'commit'}>
        <span className="text-muted">in commit</span> <CommitHash commit={commit} />
        {subject && commit.subject && (
          <>
            {' '}
            <span data-testid="commit-subject">{commit.subject}</span>
          </>
        )}
      </span>
    );
  }
  if (!seenIn) return null;
  return (
    <span className="text-muted" data-testid="seen-in" data-seen-in={seenIn}>
      {SEEN_IN_WORDS[seenIn]}
    </span>
  );
}
