/** The costs module's surface: the only file of it that code outside the module imports, with data.ts (its repositories alone). */
export { SetProjectBudget } from './budgets.command.js';
export { budgetsProjection } from './budgets.projection.js';
export { budgetsRoutes } from './budgets.routes.js';
export { BudgetsService } from './budgets.service.js';
export { costSourcesProjection, createCostsProjection } from './costs.projection.js';
export { costSumsRepository } from './cost-sums.repository.js';
export type { CostShareSum } from './cost-sums.repository.js';
export { costsRepository } from './costs.repository.js';
export { costsRoutes } from './costs.routes.js';
export { CostsService } from './costs.service.js';
export { repriceCosts } from './reprice.js';
export { makeBuckets, offsetMs } from './time-buckets.js';
