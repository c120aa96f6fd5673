import { SLOS, type SloStatus } from '../../../contracts/index.js';
import { SloBadge } from './SloBadge.js';

/** The top of the page: every objective met, or which are not (worst first), and which have no data yet. */
export function SloSummary({ slos }: { slos: readonly SloStatus[] }) {
  const order = { breached: 0, at_risk: 1, no_data: 2, met: 3 } as const;
  const notMet = slos.filter((s) => s.state === 'breached' || s.state === 'at_risk').sort((a, b) => order[a.state] - order[b.state]);
  const noData = slos.filter((s) => s.state === 'no_data');
  const met = slos.length - notMet.length - noData.length;
  const tone = notMet.some((s) => s.state === 'breached') ? 'border-danger bg-danger-bg' : notMet.length > 0 ? 'border-warn bg-warn-bg' : 'border-ok bg-ok-bg';
  const headline =
    notMet.length === 0
      ? noData.length === 0
        ? `All ${slos.length} objectives are met`
        : `No objective is failing: ${met} met, ${noData.length} without data yet`
      : `${notMet.length} of ${slos.length} objective${notMet.length === 1 ? ' needs' : 's need'} attention`;
  return (
    <section
      aria-labelledby="slo-summary-title"
      className={`mb-4 rounded-md border px-4 py-3 text-fg ${tone}`}
      data-testid="slo-summary"
      data-not-met={notMet.length}
      data-no-data={noData.length}
    >
      <h2 id="slo-summary-title" className="font-semibold">
        {headline}
      </h2>
      {notMet.length > 0 && (
        <ul className="mt-2 space-y-1 text-sm">
          {notMet.map((s) => (
            <li key={s.key} className="flex flex-wrap items-baseline gap-x-2 gap-y-1" data-testid="slo-summary-item" data-slo={s.key}>
              <SloBadge state={s.state} />
              <a href={`#slo-${s.key}`} className="font-medium underline">
                {SLOS[s.key].title}
              </a>
              <span className="min-w-0 break-words">{s.reason}</span>
            </li>
          ))}
        </ul>
      )}
      {noData.length > 0 && (
        <p className="mt-2 text-sm">
          <span className="font-medium">No data yet:</span> {noData.map((s) => SLOS[s.key].title).join(', ')}.
        </p>
      )}
    </section>
  );
}
