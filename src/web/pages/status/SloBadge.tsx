import type { SloState } from '../../../contracts/index.js';
import { STATE_ICON, STATE_TONE, STATE_WORD } from './format.js';

/** An objective's state in a word, a glyph and a colour: colour is never the only signal. */
export function SloBadge({ state }: { state: SloState }) {
  return (
    <span
      className={`inline-flex items-center gap-1 whitespace-nowrap rounded px-2 py-0.5 text-xs font-semibold ${STATE_TONE[state]}`}
      data-testid="slo-state"
      data-state={state}
    >
      <span aria-hidden="true">{STATE_ICON[state]}</span>
      {STATE_WORD[state]}
    </span>
  );
}
