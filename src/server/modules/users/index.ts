/** The users module's surface: the only file of it that code outside the module imports. */
export { usersProjection } from './users.projection.js';
