import { Component, type ErrorInfo, type ReactNode } from 'react';

/** Catches a page that failed to load or render (e.g. its code chunk while the server is down) without blanking the app. */
export class ErrorBoundary extends Component<{ children: ReactNode; resetKey: string }, { error: Error | null; key: string }> {
  override state = { error: null as Error | null, key: this.props.resetKey };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  static getDerivedStateFromProps(props: { resetKey: string }, state: { error: Error | null; key: string }) {
    // Navigating elsewhere gives the next page a fresh chance.
    return props.resetKey !== state.key ? { error: null, key: props.resetKey } : null;
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('page failed', error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div role="alert" className="rounded-md border border-danger bg-danger-bg px-4 py-3 text-sm text-danger">
        This page could not be loaded ({this.state.error.message}). The server may be unreachable.{' '}
        <button type="button" className="underline" onClick={() => window.location.reload()}>
          Reload
        </button>
      </div>
    );
  }
}
