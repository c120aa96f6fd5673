export { AGENT_ROLES, classifyCommand, findBmadCommands, roleOfWorkflow, type AgentRole, type BmadCommand } from './commands.js';
export {
  CLAUDE_IMPORTER_SOURCE,
  ClaudeUsageImporter,
  defaultClaudeProjectDirs,
  emptyStats,
  listTranscriptFiles,
  mayHoldSessionsOf,
  resolveBmadRoots,
  type BmadRoot,
  type ImportStats,
  type LineIssue,
} from './importer.js';
export { Batcher, type Ingest } from './batcher.js';
export { ClaudeUsageSource, type ClaudeUsageReport } from './claude-usage-source.js';
