import { PageHeader } from '../components/states.js';

export default function ComingSoonPage({ title, what }: { title: string; what: string }) {
  return (
    <section>
      <PageHeader title={title} />
      <div className="rounded-md border border-dashed border-border px-4 py-10 text-center">
        <p className="font-medium" data-testid="coming-soon">Coming soon</p>
        <p className="mt-1 text-sm text-muted">{what}</p>
      </div>
    </section>
  );
}
