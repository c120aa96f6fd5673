import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { API, type AlertNotification } from '../../contracts/index.js';
import { notificationQueries } from '../api/alerts-queries.js';
import { call } from '../api/http.js';
import { alertsKeys } from '../api/query-keys.js';
import { Drawer } from './Drawer.js';
import { RelativeTime } from './RelativeTime.js';
import { Empty, ErrorState, Loading } from './states.js';

/** Where a notification's subject lives in the app, when it has a page. */
function linkOf(n: AlertNotification): { to: string; label: string } | null {
  if (n.subjectType === 'workflow') return { to: `/workflows/${encodeURIComponent(n.subjectId)}`, label: 'Open the run' };
  if (n.subjectType === 'project') return { to: `/projects/${encodeURIComponent(n.subjectId)}`, label: 'Open the project' };
  return null;
}

function NotificationItem({ n, onRead }: { n: AlertNotification; onRead: (id: string) => void }) {
  const link = linkOf(n);
  const fired = n.kind === 'fired';
  return (
    <li
      data-testid="notification"
      data-kind={n.kind}
      data-read={n.read}
      className={`rounded-md border px-3 py-2 ${n.read ? 'border-border' : 'border-accent bg-surface-2'}`}
    >
      <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
        <span className="min-w-0 font-semibold wrap-anywhere">
          {!n.read && <span className="sr-only">Unread: </span>}
          <span className={fired ? 'text-danger' : 'text-ok'}>{fired ? 'Firing' : 'Resolved'}</span> · {n.ruleName}
        </span>
        <span className="text-xs text-muted">
          <RelativeTime value={n.at} />
        </span>
      </div>
      <p className="mt-1 text-sm wrap-anywhere">{n.message}</p>
      <div className="mt-1 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-muted">
        {n.projectName && <span>{n.projectName}</span>}
        {fired && <span>{n.stillFiring ? 'still firing' : 'resolved since'}</span>}
        {link && (
          <Link to={link.to} className="text-accent underline" onClick={() => !n.read && onRead(n.id)}>
            {link.label}
          </Link>
        )}
        {!n.read && (
          <button type="button" onClick={() => onRead(n.id)} className="text-accent underline">
            Mark as read
          </button>
        )}
      </div>
    </li>
  );
}

function NotificationList({ onRead }: { onRead: (ids: string[] | 'all') => void }) {
  const list = useInfiniteQuery(notificationQueries.list());
  if (list.isPending) return <Loading what="notifications" />;
  if (list.error) return <ErrorState error={list.error} onRetry={() => void list.refetch()} />;
  const items = list.data.pages.flatMap((p) => p.items);
  if (items.length === 0) return <Empty>No notifications. Alerts of rules that tell the app appear here.</Empty>;
  return (
    <>
      <ul aria-label="Notifications" className="space-y-2" data-testid="notification-list">
        {items.map((n) => (
          <NotificationItem key={n.id} n={n} onRead={(id) => onRead([id])} />
        ))}
      </ul>
      {list.hasNextPage && (
        <button
          type="button"
          onClick={() => void list.fetchNextPage()}
          disabled={list.isFetchingNextPage}
          className="rounded border border-border px-3 py-1.5 text-sm hover:bg-surface-2"
        >
          {list.isFetchingNextPage ? 'Loading…' : 'Show older'}
        </button>
      )}
    </>
  );
}

/** The bell's drawer: loaded when first opened, so the list, its paging and relative times are not in the first load. */
export default function NotificationsDrawer({ count, onClose, returnFocus }: { count: number; onClose: () => void; returnFocus: HTMLElement | null }) {
  const qc = useQueryClient();
  const markRead = useMutation({
    mutationFn: (ids: string[] | 'all') => call(API.alerts.markRead, { body: ids === 'all' ? { all: true } : { ids } }),
    onSuccess: (r) => qc.setQueryData(alertsKeys.unread, r),
    onSettled: () => qc.invalidateQueries({ queryKey: alertsKeys.list }),
  });
  return (
    <Drawer title="Notifications" onClose={onClose} returnFocus={returnFocus} testId="notifications-drawer">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <span className="text-sm text-muted" role="status">
          {count === 0 ? 'All read' : `${count} unread`}
        </span>
        <button
          type="button"
          onClick={() => markRead.mutate('all')}
          disabled={count === 0 || markRead.isPending}
          className="rounded border border-border px-3 py-1.5 text-sm hover:bg-surface-2 disabled:opacity-60"
        >
          Mark all as read
        </button>
      </div>
      <NotificationList onRead={(ids) => markRead.mutate(ids)} />
    </Drawer>
  );
}
