import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { ErrorBoundary } from '../components/ErrorBoundary.js';
import { Loading } from '../components/states.js';
import { Toasts } from '../components/toasts.js';
import { LiveProvider } from '../live/live-context.js';
import { AppShell } from './AppShell.js';
import { RequireSession } from './session.js';

// Each page is its own chunk: the first paint only pays for the shell and the page it shows.
const PAGES = {
  workflows: () => import('../pages/workflows/WorkflowsPage.js'),
  workflowDetail: () => import('../pages/workflows/WorkflowDetailPage.js'),
  projects: () => import('../pages/projects/ProjectsPage.js'),
  project: () => import('../pages/projects/ProjectPage.js'),
  kanban: () => import('../pages/kanban/KanbanPage.js'),
  story: () => import('../pages/stories/StoryPage.js'),
  documents: () => import('../pages/documents/DocumentsPage.js'),
  document: () => import('../pages/documents/DocumentPage.js'),
  costs: () => import('../pages/costs/CostsPage.js'),
  analytics: () => import('../pages/analytics/AnalyticsPage.js'),
  status: () => import('../pages/status/StatusPage.js'),
  settings: () => import('../pages/settings/SettingsPage.js'),
  notFound: () => import('../pages/NotFoundPage.js'),
};
/** First path segment → [list page, page for /segment/:id]. */
const ROUTE_PAGES: Readonly<Record<string, readonly [() => Promise<unknown>, () => Promise<unknown>]>> = {
  '': [PAGES.workflows, PAGES.workflows],
  workflows: [PAGES.workflows, PAGES.workflowDetail],
  projects: [PAGES.projects, PAGES.project],
  kanban: [PAGES.kanban, PAGES.kanban],
  stories: [PAGES.story, PAGES.story],
  documents: [PAGES.documents, PAGES.document],
  costs: [PAGES.costs, PAGES.costs],
  analytics: [PAGES.analytics, PAGES.analytics],
  status: [PAGES.status, PAGES.status],
  settings: [PAGES.settings, PAGES.settings],
};
const loadLogin = () => import('../pages/LoginPage.js');
const LoginPage = lazy(loadLogin);
/** Not in PAGES: the viewer is large and only this page needs it, so it is never prefetched. */
const loadApiReference = () => import('../pages/api-reference/ApiReferencePage.js');
const ApiReferencePage = lazy(loadApiReference);

/**
 * Starts loading the code of the page in the address bar at once, in parallel with the session check, instead of after
 * it: the page then renders without flashing (and without React holding back) a "loading the page" fallback.
 */
export function preloadRoute(pathname: string): void {
  const [, first = '', id] = pathname.split('/');
  const load = first === 'login' ? loadLogin : first === 'api-reference' ? loadApiReference : (ROUTE_PAGES[first]?.[id ? 1 : 0] ?? PAGES.notFound);
  void load().catch(() => undefined);
}
const WorkflowsPage = lazy(PAGES.workflows);
const WorkflowDetailPage = lazy(PAGES.workflowDetail);
const ProjectsPage = lazy(PAGES.projects);
const ProjectPage = lazy(PAGES.project);
const KanbanPage = lazy(PAGES.kanban);
const StoryPage = lazy(PAGES.story);
const DocumentsPage = lazy(PAGES.documents);
const DocumentPage = lazy(PAGES.document);
const CostsPage = lazy(PAGES.costs);
const AnalyticsPage = lazy(PAGES.analytics);
const StatusPage = lazy(PAGES.status);
const SettingsPage = lazy(PAGES.settings);
const NotFoundPage = lazy(PAGES.notFound);

/** Once the first page is up, fetch the other pages' code in idle time, so they still open if the server goes away. */
function usePrefetchPages() {
  useEffect(() => {
    const idle = window.requestIdleCallback ?? ((fn: () => void) => window.setTimeout(fn, 1500));
    const handle = idle(() => Object.values(PAGES).forEach((load) => void load().catch(() => undefined)));
    return () => (window.cancelIdleCallback ?? window.clearTimeout)(handle);
  }, []);
}

function PageFrame({ children }: { children: ReactNode }) {
  const location = useLocation();
  return (
    <ErrorBoundary resetKey={location.pathname}>
      <Suspense fallback={<Loading what="the page" />}>{children}</Suspense>
    </ErrorBoundary>
  );
}

function SignedIn() {
  usePrefetchPages();
  return (
    <RequireSession>
      {(me) => (
        <LiveProvider>
          <AppShell me={me}>
            <PageFrame>
              <Routes>
                <Route index element={<Navigate to="/workflows" replace />} />
                <Route path="workflows" element={<WorkflowsPage />} />
                <Route path="workflows/:id" element={<WorkflowDetailPage />} />
                <Route path="projects" element={<ProjectsPage />} />
                <Route path="projects/:id" element={<ProjectPage />} />
                <Route path="kanban" element={<KanbanPage />} />
                <Route path="stories/:id" element={<StoryPage />} />
                <Route path="costs" element={<CostsPage />} />
                <Route path="analytics" element={<AnalyticsPage />} />
                <Route path="status" element={<StatusPage />} />
                <Route path="documents" element={<DocumentsPage />} />
                <Route path="documents/:id" element={<DocumentPage />} />
                <Route path="settings/*" element={<SettingsPage />} />
                <Route path="api-reference" element={<ApiReferencePage />} />
                <Route path="*" element={<NotFoundPage />} />
              </Routes>
            </PageFrame>
          </AppShell>
        </LiveProvider>
      )}
    </RequireSession>
  );
}

export function App() {
  return (
    <>
      <Suspense fallback={<Loading what="BMAD Ops" />}>
        <Routes>
          <Route path="/login" element={<LoginPage />} />
          <Route path="/*" element={<SignedIn />} />
        </Routes>
      </Suspense>
      <Toasts />
    </>
  );
}
