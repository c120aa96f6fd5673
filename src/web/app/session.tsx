import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, type ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import type { Me } from '../../contracts/index.js';
import { ApiError } from '../api/http.js';
import { queries } from '../api/queries.js';
import { ErrorState, Loading } from '../components/states.js';

const ChangePasswordPage = lazy(() => import('../pages/ChangePasswordPage.js'));

export const canMoveCards = (me: Me | undefined) => me?.role === 'operator' || me?.role === 'manager';

/** Renders its children only for a signed-in user; anyone else goes to the login page and comes back after. */
export function RequireSession({ children }: { children: (me: Me) => ReactNode }) {
  const me = useQuery(queries.me());
  const location = useLocation();
  if (me.isPending) return <Loading what="your session" />;
  if (me.error) {
    if (me.error instanceof ApiError && (me.error.status === 401 || me.error.status === 403)) {
      const next = encodeURIComponent(location.pathname + location.search);
      return <Navigate to={`/login?next=${next}`} replace />;
    }
    return <ErrorState error={me.error} onRetry={() => void me.refetch()} />;
  }
  if (me.data.passwordChangeRequired) {
    return (
      <Suspense fallback={<Loading what="the page" />}>
        <ChangePasswordPage me={me.data} />
      </Suspense>
    );
  }
  return <>{children(me.data)}</>;
}
