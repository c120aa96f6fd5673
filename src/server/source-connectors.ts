import fs from 'node:fs';
import type { Config } from './config.js';
import { ConfigError } from './config.js';
import { createBmadConnector, createBmadConnectors, type BmadConnectors } from './connector/bmad/index.js';
import { CONNECTOR_SOURCE } from './connector/bmad/to-events.js';
import { ClaudeUsageSource, type BmadRoot, type ClaudeUsageReport } from './importers/claude/index.js';
import { databaseStateStore } from './modules/connectors/index.js';
import { costsRepository } from './modules/costs/index.js';
import type { DocumentRoots } from './modules/documents/index.js';
import { materializeSampleTranscripts, type SampleResult } from './sample/sample-project.js';
import type { Core } from './core.js';

/** What the Claude Code transcripts on this machine gave the connected projects. */
export type ClaudeImportReport = ClaudeUsageReport & { costByProject: Awaited<ReturnType<typeof costsRepository.totalsByProjectVia>> };

/**
 * Connects the BMAD project folders (config `bmad.projects`, and the sample project when there is one): each is
 * imported before the server listens (the first page already shows the project), then watched.
 */
export async function connectBmadProjects(
  config: Config,
  core: Core,
  documentRoots: DocumentRoots,
  sample: SampleResult | undefined,
  bmad: BmadConnectors = createBmadConnectors(),
): Promise<BmadConnectors> {
  const { db, clock, logger } = core;
  for (const dir of [...(sample ? [sample.dir] : []), ...config.bmad.projects]) {
    const connector = createBmadConnector(dir, {
      ingest: (events) => core.ingestion.ingest(events),
      clock,
      logger,
      // The project's folder is its connector's: documents in it are served only when the connector registered them.
      onProjectKnown: (projectKey, root) => documentRoots.register(projectKey, root, CONNECTOR_SOURCE),
      onNewFinding: (kind) => core.metrics.consistencyFailures.inc({ kind }),
      history: { enabled: config.bmad.gitHistory, since: config.bmad.gitSince },
      stateStore: databaseStateStore(db, clock),
    });
    // Imported before listening (the first page already shows the project), then watched.
    await connector.start({ watch: true });
    if (!connector.snapshot) {
      await connector.stop();
      throw new ConfigError(`--bmad ${dir}: ${connector.lastError ?? 'not a BMAD project folder'}`);
    }
    bmad.add(connector);
  }
  return bmad;
}

/**
 * Claude Code usage of the connected projects' sessions: imported before listening (the first Costs page has it),
 * then tailed. Nothing when usage import is off or no project is connected.
 */
export async function importClaudeUsage(
  config: Config,
  core: Core,
  bmad: BmadConnectors,
  sample: SampleResult | undefined,
): Promise<{ source: ClaudeUsageSource; report: ClaudeImportReport } | undefined> {
  if (!config.claude.usage || bmad.all.length === 0) return undefined;
  const { db, clock, logger } = core;
  const dirs = [...config.claude.dirs];
  if (sample) dirs.unshift(await materializeSampleTranscripts(config.dataDir, sample.dir, clock.now()));
  const roots: BmadRoot[] = [];
  for (const c of bmad.all) {
    const snapshotOf = () => c.snapshot!;
    const root = (dir: string): BmadRoot => ({
      root: dir,
      projectKey: snapshotOf().projectKey,
      // Read at each use: a story created while the server runs can be named by the next session.
      get stories() {
        return snapshotOf().stories;
      },
    });
    roots.push(root(c.root));
    const real = await fs.promises.realpath(c.root).catch(() => c.root);
    if (real !== c.root) roots.push(root(real));
  }
  roots.sort((a, b) => b.root.length - a.root.length);
  const source = new ClaudeUsageSource(
    dirs,
    roots,
    (events) => core.ingestion.ingest(events),
    logger,
    () => clock.now().getTime(),
  );
  const report = { ...(await source.start()), costByProject: await costsRepository.totalsByProjectVia(db.read, 'transcript') };
  logger.info({ claude: report }, 'Claude Code usage imported');
  return { source, report };
}
