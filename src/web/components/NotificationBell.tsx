import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useRef, useState } from 'react';
import { notificationQueries } from '../api/alerts-queries.js';

const NotificationsDrawer = lazy(() => import('./NotificationsDrawer.js'));

function BellIcon() {
  return (
    <svg
      aria-hidden="true"
      viewBox="0 0 24 24"
      width="18"
      height="18"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
      <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
    </svg>
  );
}

/**
 * The bell in the header, on every page and screen size: the unread count of the person's in-app alert notifications,
 * kept current by the live connection (alert events re-read it), and a drawer with the list.
 */
export function NotificationBell() {
  const unread = useQuery(notificationQueries.unread());
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const count = unread.data?.unread ?? 0;
  const label = count === 0 ? 'Notifications, none unread' : `Notifications, ${count} unread`;
  return (
    <>
      <button
        ref={button}
        type="button"
        onClick={() => setOpen(true)}
        aria-label={label}
        title={label}
        data-testid="notification-bell"
        data-unread={count}
        className="relative rounded border border-border p-1.5 text-fg hover:bg-surface-2"
      >
        <BellIcon />
        {count > 0 && (
          <span
            aria-hidden="true"
            className="absolute -top-1.5 -right-1.5 min-w-5 rounded-full bg-danger px-1 text-center text-xs leading-5 font-semibold text-surface"
          >
            {count > 99 ? '99+' : count}
          </span>
        )}
      </button>
      {open && (
        <Suspense fallback={null}>
          <NotificationsDrawer count={count} onClose={() => setOpen(false)} returnFocus={button.current} />
        </Suspense>
      )}
    </>
  );
}
