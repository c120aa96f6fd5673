export interface NavItem {
  to: string;
  label: string;
}

export const NAV: readonly NavItem[] = [
  { to: '/workflows', label: 'Workflows' },
  { to: '/projects', label: 'Projects' },
  { to: '/kanban', label: 'Kanban' },
  { to: '/costs', label: 'Costs' },
  { to: '/analytics', label: 'Analytics' },
  { to: '/documents', label: 'Documents' },
];
