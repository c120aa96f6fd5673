export { classifyCommand, findBmadCommands } from './commands.js';
export {
  ClaudeUsageImporter,
  defaultClaudeProjectDirs,
  listTranscriptFiles,
  mayHoldSessionsOf,
  resolveBmadRoots,
  type BmadRoot,
  type ImportStats,
  type LineIssue,
} from './importer.js';
export { Batcher } from './batcher.js';
export { ClaudeUsageSource, type ClaudeUsageReport } from './claude-usage-source.js';
