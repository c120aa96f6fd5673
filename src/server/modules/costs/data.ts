/** The costs module's data surface: what a worker thread may load without the routes (see events/data.ts). */
export { costsRepository } from './costs.repository.js';
