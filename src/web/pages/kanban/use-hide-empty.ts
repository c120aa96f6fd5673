import { useCallback, useState } from 'react';

const STORAGE_KEY = 'bmad-ops.kanban.hide-empty-columns';

function read(): boolean {
  try {
    return localStorage.getItem(STORAGE_KEY) === '1';
  } catch {
    return false;
  }
}

/** Whether the board hides its empty columns: a view preference kept in the browser, for every project. */
export function useHideEmptyColumns(): [boolean, (hide: boolean) => void] {
  const [hide, setHide] = useState(read);
  const set = useCallback((next: boolean) => {
    setHide(next);
    try {
      if (next) localStorage.setItem(STORAGE_KEY, '1');
      else localStorage.removeItem(STORAGE_KEY);
    } catch {
      // Storage can be unavailable (private windows, quotas): the choice then lasts until the page is left.
    }
  }, []);
  return [hide, set];
}
