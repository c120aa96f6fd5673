import { useId, useRef, useState } from 'react';

/**
 * A secret shown once (a one-time password, an API key): in a read-only field that selects itself, with a Copy button.
 * Where the clipboard is unavailable (a plain-HTTP address other than localhost), the text is selected for Ctrl+C.
 */
export function SecretReveal({ label, value, testId }: { label: string; value: string; testId: string }) {
  const input = useRef<HTMLInputElement>(null);
  const id = useId();
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      input.current?.select();
      setCopied('no');
    }
  };
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      <div className="flex gap-2">
        <input
          ref={input}
          id={id}
          readOnly
          value={value}
          data-testid={testId}
          onFocus={(e) => e.currentTarget.select()}
          spellCheck={false}
          className="min-w-0 flex-1 rounded border border-border bg-bg px-3 py-2 font-mono text-sm"
        />
        <button
          type="button"
          onClick={() => void copy()}
          className="shrink-0 rounded border border-border bg-surface px-3 py-2 text-sm font-semibold hover:bg-surface-2"
          autoFocus
        >
          Copy
        </button>
      </div>
      <p role="status" className="min-h-5 text-xs text-muted">
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'no' ? 'The browser would not copy it: it is selected, press Ctrl+C (⌘C).' : ''}
      </p>
    </div>
  );
}
