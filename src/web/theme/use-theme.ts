import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { API, type Me } from '../../contracts/index.js';
import { call } from '../api/http.js';
import { keys } from '../api/query-keys.js';
import { applyTheme, isThemePref, storedThemePref, type ThemePref } from './theme.js';

/**
 * The theme follows the system until the user picks one. The pick is kept in localStorage (applied before paint on
 * the next load) and in the server profile, so it follows the user to another browser.
 */
export function useTheme(me: Me | undefined) {
  const qc = useQueryClient();
  const [pref, setPref] = useState<ThemePref>(storedThemePref);
  const serverPref = me?.preferences.theme;

  // A choice made on another device arrives with the profile and wins over this browser's cached one.
  useEffect(() => {
    if (isThemePref(serverPref) && serverPref !== storedThemePref()) {
      setPref(serverPref);
      applyTheme(serverPref);
    }
  }, [serverPref]);

  useEffect(() => {
    if (pref !== 'system') return;
    const mq = window.matchMedia('(prefers-color-scheme: dark)');
    const onChange = () => applyTheme('system');
    mq.addEventListener('change', onChange);
    return () => mq.removeEventListener('change', onChange);
  }, [pref]);

  const save = useMutation({
    mutationFn: (theme: ThemePref) => call(API.auth.setPreferences, { body: { theme } }),
    onSuccess: (updated) => qc.setQueryData(keys.me, updated),
  });

  const choose = useCallback(
    (next: ThemePref) => {
      setPref(next);
      applyTheme(next);
      if (me) save.mutate(next);
    },
    [me, save],
  );
  return { pref, choose, saving: save.isPending, saveError: save.error };
}
