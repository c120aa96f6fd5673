export interface NavItem {
  to: string;
  label: string;
  /** Shown to managers only (the pages behind it say so to anyone else who opens them). */
  managersOnly?: boolean;
}

export const NAV: readonly NavItem[] = [
  { to: '/workflows', label: 'Workflows' },
  { to: '/projects', label: 'Projects' },
  { to: '/kanban', label: 'Kanban' },
  { to: '/costs', label: 'Costs' },
  { to: '/analytics', label: 'Analytics' },
  { to: '/documents', label: 'Documents' },
  { to: '/status', label: 'Status' },
  { to: '/settings', label: 'Settings', managersOnly: true },
];
