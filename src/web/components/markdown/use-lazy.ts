import { useEffect, useState } from 'react';

/**
 * Loads a code chunk on first use. The viewer libraries are plain modules without React: a lazily loaded chunk that
 * imports React makes the bundler move shared code into the app's entry chunk, which would grow every first load.
 */
export function useLazy<T>(load: () => Promise<T>): { mod: T | undefined; error: unknown } {
  const [state, setState] = useState<{ mod: T | undefined; error: unknown }>({ mod: undefined, error: undefined });
  useEffect(() => {
    let alive = true;
    load().then(
      (mod) => alive && setState({ mod, error: undefined }),
      (error: unknown) => alive && setState({ mod: undefined, error }),
    );
    return () => {
      alive = false;
    };
  }, [load]);
  return state;
}
