// Runs before the stylesheet paints anything, so the page never flashes the wrong theme. It is a file, not an
// inline script, so the Content-Security-Policy can keep script-src 'self'. Keep in sync with src/web/theme/theme.ts.
(function () {
  var pref = 'system';
  try {
    var stored = window.localStorage.getItem('bmad-ops.theme');
    if (stored === 'light' || stored === 'dark' || stored === 'system') pref = stored;
  } catch {
    /* storage may be blocked; fall back to the system preference */
  }
  var dark = pref === 'dark' || (pref === 'system' && window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches);
  var root = document.documentElement;
  root.setAttribute('data-theme', dark ? 'dark' : 'light');
  root.style.colorScheme = dark ? 'dark' : 'light';
})();
