export { scanBmadProject } from './scan.js';
export { ParseCache } from './cache.js';
export { NoBmadProjectError } from './layout.js';
export { columnForStatus, mapStoryStatus } from './status.js';
export { parseMarkdown } from './markdown.js';
export { parseSprintStatus } from './sprint-status.js';
