import type { Finding } from '../../../contracts/index.js';

export const FINDING_LABEL: Record<Finding['kind'], string> = {
  status_drift: 'Drift',
  unknown_status: 'Unknown status',
  parse_error: 'Parse error',
  epic_drift: 'Epic done early',
  projection_mismatch: 'Read model differs from the log',
  cross_view_mismatch: 'Views disagree',
};

/** Badge colours per kind (always shown with the label in words). */
export const FINDING_TONE: Record<Finding['kind'], string> = {
  status_drift: 'bg-warn-bg text-warn',
  unknown_status: 'bg-info-bg text-info',
  parse_error: 'bg-danger-bg text-danger',
  epic_drift: 'bg-warn-bg text-warn',
  projection_mismatch: 'bg-danger-bg text-danger',
  cross_view_mismatch: 'bg-danger-bg text-danger',
};

/** "path/to/file.md:12", or the file alone, or nothing. */
export const findingLocation = (f: Pick<Finding, 'file' | 'line'>) => (f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : null);

/** One line per finding, for a tooltip and for screen readers. */
export function describeFindings(findings: readonly Finding[]): string {
  return findings
    .map((f) => {
      const where = findingLocation(f);
      const diff = f.expected !== null || f.actual !== null ? ` (expected ${f.expected ?? '?'}, found ${f.actual ?? '?'})` : '';
      return `${FINDING_LABEL[f.kind]}: ${f.message}${diff}${where ? ` — ${where}` : ''}`;
    })
    .join('\n');
}
