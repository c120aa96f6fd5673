/** The stories module's surface: the only file of it that code outside the module imports. */
export { NO_COST, costPerDoneStory, costsByKey, withCosts } from './cost-to-date.js';
export type { CostSum } from './cost-to-date.js';
export { BoardStories } from './board-stories.js';
export { BOARD_CARD_LIMIT, StoriesService } from './kanban.service.js';
export { storiesProjection } from './stories.projection.js';
export { storiesRepository } from './stories.repository.js';
export { storiesRoutes } from './stories.routes.js';
export { ChangeStoryStatus } from './story-status.command.js';
export { StoryLabels } from './story-labels.js';
