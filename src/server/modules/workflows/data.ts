/** The workflows module's data surface: what a worker thread may load without the routes (see events/data.ts). */
export { workflowsRepository } from './workflows.repository.js';
