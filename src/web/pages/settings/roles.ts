import type { Role } from '../../../contracts/index.js';

export const roleLabel = (r: Role) => r.charAt(0).toUpperCase() + r.slice(1);

/** What each role may do, in the words a manager chooses by. */
export const ROLE_HINT: Record<Role, string> = {
  viewer: 'reads every page',
  operator: 'also moves stories and sets budgets',
  manager: 'also manages people, API keys and the audit log',
};
