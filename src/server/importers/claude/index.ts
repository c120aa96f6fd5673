export { AGENT_ROLES, classifyCommand, findBmadCommands, roleOfWorkflow, type AgentRole, type BmadCommand } from './commands.js';
export {
  CLAUDE_IMPORTER_SOURCE,
  ClaudeUsageImporter,
  defaultClaudeProjectDirs,
  emptyStats,
  listTranscriptFiles,
  resolveBmadRoots,
  type BmadRoot,
  type ImportStats,
  type LineIssue,
} from './importer.js';
