export interface NavItem {
  to: string;
  label: string;
  /** Modules whose issues have not landed yet show a "coming soon" page in their place. */
  comingSoon?: boolean;
}

export const NAV: readonly NavItem[] = [
  { to: '/workflows', label: 'Workflows' },
  { to: '/projects', label: 'Projects' },
  { to: '/kanban', label: 'Kanban' },
  { to: '/costs', label: 'Costs', comingSoon: true },
  { to: '/analytics', label: 'Analytics', comingSoon: true },
  { to: '/documents', label: 'Documents' },
];
