/**
 * A file path on one line that keeps the file name in view: the folders give way first (cut with an ellipsis), the
 * name only when it alone is too long. The full path is on hover and read out whole.
 */
export function FilePath({ path }: { path: string }) {
  const cut = path.lastIndexOf('/') + 1;
  const folder = path.slice(0, cut);
  const name = path.slice(cut);
  return (
    <span className="flex min-w-0 font-mono text-xs" title={path} data-testid="file-path">
      {folder && <span className="min-w-0 truncate text-muted">{folder}</span>}
      <span className="max-w-full shrink-0 truncate">{name}</span>
    </span>
  );
}
