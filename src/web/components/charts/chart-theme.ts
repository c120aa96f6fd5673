import { useEffect, useState } from 'react';

/** Colours a canvas needs: it cannot use Tailwind classes or var(), so they are read from the theme's CSS variables. */
export interface ChartTheme {
  fg: string;
  muted: string;
  border: string;
  surface: string;
  surface2: string;
  /** Series colours by position, from the semantic tokens (the theme defines no separate chart palette). */
  palette: string[];
  /** Resolves a series' own colorVar. */
  byVar: (name: string) => string;
}

/** #rgb, #rrggbb or rgb()/rgba() as [r, g, b] (the built stylesheet shortens #ffffff to #fff); null for anything else. */
function rgbOf(css: string): number[] | null {
  const c = css.trim().toLowerCase();
  if (/^#[0-9a-f]{3}$/.test(c)) return [1, 2, 3].map((i) => parseInt(c[i]! + c[i]!, 16));
  if (/^#[0-9a-f]{6}$/.test(c)) return [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
  const m = /^rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)/.exec(c);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

/** The colour `ratio` of the way from `base` to `color`: an opaque tint that follows the theme's surface. */
export function mix(color: string, base: string, ratio: number): string {
  const a = rgbOf(color);
  const b = rgbOf(base);
  if (!a || !b) return color;
  return `#${a
    .map((v, i) =>
      Math.round(v * ratio + b[i]! * (1 - ratio))
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

const PALETTE_VARS = ['--accent', '--warn', '--ok', '--info', '--danger', '--neutral'];

function readTheme(): ChartTheme {
  const style = getComputedStyle(document.documentElement);
  const v = (name: string) => style.getPropertyValue(name).trim();
  return {
    fg: v('--fg'),
    muted: v('--muted'),
    border: v('--border'),
    surface: v('--surface'),
    surface2: v('--surface-2'),
    palette: PALETTE_VARS.map(v),
    byVar: v,
  };
}

const sameTheme = (a: ChartTheme, b: ChartTheme) =>
  a.fg === b.fg &&
  a.muted === b.muted &&
  a.border === b.border &&
  a.surface === b.surface &&
  a.surface2 === b.surface2 &&
  a.palette.join() === b.palette.join();

/**
 * The current theme's chart colours. The theme toggle (and theme-init.js, and a system change while on "system") sets
 * data-theme on <html>; observing that attribute catches every path without coupling charts to the toggle.
 */
export function useChartTheme(): ChartTheme {
  const [theme, setTheme] = useState(readTheme);
  useEffect(() => {
    const update = () =>
      setTheme((prev) => {
        const next = readTheme();
        // applyTheme rewrites the attribute even when it does not change: keep the same object so nothing redraws.
        return sameTheme(prev, next) ? prev : next;
      });
    const observer = new MutationObserver(update);
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    update();
    return () => observer.disconnect();
  }, []);
  return theme;
}
