export { scanBmadProject, type ScanOptions } from './scan.js';
export { ParseCache } from './cache.js';
export { detectLayout, NoBmadProjectError, type DetectedLayout } from './layout.js';
export {
  cleanStatusValue,
  columnForStage,
  columnForStatus,
  columnsForLayout,
  mapStoryStatus,
  sameStoryStatus,
  stageOf,
  statusToken,
  STORY_STAGES,
  type StoryStage,
  type StoryStatusMapping,
} from './status.js';
export { parseMarkdown, type MarkdownFacts, type StatusLocation } from './markdown.js';
export { parseSprintStatus, type SprintEntry, type SprintStatus } from './sprint-status.js';
export { mimeTypeFor } from './files.js';
