/** The connectors module's surface: the only file of it that code outside the module imports. */
export { databaseStateStore } from './connector-state.store.js';
