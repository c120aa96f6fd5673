import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { API } from '../../../contracts/index.js';
import { call } from '../../api/http.js';
import { queries } from '../../api/queries.js';
import { statusKeys } from '../../api/query-keys.js';

/** Managers start a consistency pass now (it rebuilds every read model, so it is theirs to ask for). */
export function VerifyNowButton() {
  const me = useQuery(queries.me());
  const qc = useQueryClient();
  const verify = useMutation({
    mutationFn: () => call(API.insight.verify),
    onSuccess: () => void qc.invalidateQueries({ queryKey: statusKeys.all }),
  });
  if (me.data?.role !== 'manager') return null;
  const run = verify.data;
  return (
    <div className="mt-3 text-sm">
      <button
        type="button"
        onClick={() => verify.mutate()}
        disabled={verify.isPending}
        className="rounded border border-border px-3 py-1 hover:bg-surface-2 disabled:opacity-60"
        data-testid="verify-now"
      >
        {verify.isPending ? 'Checking…' : 'Check now'}
      </button>
      <div aria-live="polite" data-testid="verify-result">
        {verify.error && <p className="mt-2 text-danger">The check could not run: {verify.error.message}</p>}
        {run && (
          <div className="mt-2">
            <p>
              {run.result === 'ok'
                ? 'No difference: every read model equals its rebuild from the log, and the views agree.'
                : `${run.findings} difference${run.findings === 1 ? '' : 's'} found:`}
            </p>
            {run.sample.length > 0 && (
              <ul className="mt-1 list-disc pl-5 text-muted">
                {run.sample.slice(0, 5).map((f, i) => (
                  <li key={i} className="break-words">
                    {f.message}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
      </div>
    </div>
  );
}
