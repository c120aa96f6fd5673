import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';

/** Where `vite build` puts the web app; the same relative path from src/server/http (tsx) and dist/server/http (tsc). */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../../dist/web', import.meta.url));

const NOT_APP = /^\/(api|ws|metrics)(\/|$)/;

/**
 * Serves the built web app: hashed assets cached for a year, index.html never cached (so a deploy is picked up on the
 * next load), and every other GET that wants HTML answered with index.html so deep links and reloads work (history
 * API fallback). API, WebSocket and metrics paths are never swallowed by the fallback.
 */
export function staticApp(webDir: string = DEFAULT_WEB_DIR): Router {
  const r = Router();
  const index = path.join(webDir, 'index.html');
  r.use(
    express.static(webDir, {
      index: false,
      setHeaders(res, file) {
        res.setHeader('Cache-Control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  r.get(/.*/, (req, res, next) => {
    if (NOT_APP.test(req.path) || !req.accepts('html')) return next();
    if (!fs.existsSync(index)) {
      res.status(503).type('text/plain').send('The web app is not built yet: run `npm run build` (npm start does this for you).\n');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return r;
}
