import type { ActorRef, AuditEntryView } from '../../../contracts/index.js';

/** Audit actions in words; an action this version does not know reads as its code. */
export const ACTION_LABEL: Record<string, string> = {
  'auth.login': 'Signed in',
  'auth.logout': 'Signed out',
  'user.create': 'Invited / created account',
  'user.set_role': 'Changed role',
  'user.disable': 'Disabled account',
  'user.enable': 'Enabled account',
  'user.revoke_sessions': 'Ended sessions',
  'user.reset_password': 'Reset password',
  'user.set_password': 'Set password (CLI)',
  'user.change_password': 'Changed own password',
  'key.create': 'Created API key',
  'key.revoke': 'Revoked API key',
  'project.budget_set': 'Set budget',
  'project.budget_clear': 'Cleared budget',
  'story.status_change': 'Moved story',
  'alert.rule_create': 'Added alert rule',
  'alert.rule_update': 'Changed alert rule',
  'alert.rule_remove': 'Removed alert rule',
  'alert.channel_create': 'Added alert channel',
  'alert.channel_update': 'Changed alert channel',
  'alert.channel_remove': 'Removed alert channel',
  'alert.channel_test': 'Tested alert channel',
};

export const actionLabel = (action: string) => ACTION_LABEL[action] ?? action;

/** Filter choices: a kind at a time ("every account change") or one action. */
export const ACTION_GROUPS = [
  { value: 'auth.*', label: 'Sign-ins and sign-outs' },
  { value: 'user.*', label: 'Account changes' },
  { value: 'key.*', label: 'API key changes' },
  { value: 'alert.*', label: 'Alert rules and channels' },
] as const;

/** Who did it, for reading: a name where one is known, and how they acted when not through their own session. */
export function actorLabel(a: ActorRef): string {
  switch (a.type) {
    case 'user':
      return a.name ?? 'a deleted account';
    case 'anonymous':
      return a.name ? `someone, as ${a.name}` : 'someone unknown';
    case 'key':
      return a.name ? `key “${a.name}”` : 'an API key';
    case 'cli':
      return a.name ? `${a.name} (CLI)` : 'the CLI';
    case 'system':
      return 'the server';
  }
}

const REASON: Record<string, string> = {
  self_lockout: 'refused: not on yourself',
  last_manager: 'refused: the last manager',
  own_account: 'refused: not on your own account',
};

/** The few details worth a glance (the full record is on hover), never secrets: the log holds none. */
export function detailsSummary(e: AuditEntryView, projectName: (id: string) => string | null): string {
  const d = e.details;
  const parts: string[] = [];
  if (typeof d.reason === 'string') parts.push(e.outcome === 'failure' ? (REASON[d.reason] ?? `refused: ${d.reason}`) : `“${d.reason}”`);
  if (e.action === 'auth.login' && e.outcome === 'failure' && typeof d.email === 'string') parts.push(`tried ${d.email}`);
  if (typeof d.from === 'string' && typeof d.to === 'string') parts.push(`${d.from} → ${d.to}`);
  if (e.action === 'user.create' && typeof d.role === 'string') parts.push(`as ${d.role}`);
  if (Array.isArray(d.scopes)) parts.push(`scopes ${d.scopes.join(', ')}`);
  if (Array.isArray(d.sources)) parts.push(`sources ${d.sources.join(', ')}`);
  if (typeof d.projectId === 'string') parts.push(`project ${projectName(d.projectId) ?? d.projectId}`);
  if (typeof d.expiresAt === 'string') parts.push(`expires ${d.expiresAt.slice(0, 10)}`);
  if (typeof d.sessionsEnded === 'number' && d.sessionsEnded > 0) parts.push(`${d.sessionsEnded} session${d.sessionsEnded === 1 ? '' : 's'} ended`);
  if (typeof d.amount === 'number' && typeof d.currency === 'string') parts.push(`${d.amount} ${d.currency}`);
  return parts.join(' · ');
}
