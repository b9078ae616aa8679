import { useState } from 'react';

/** Copies `text`; says so for a moment (and to screen readers). */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState<'copied' | 'failed' | null>(null);
  return (
    <button
      type="button"
      className="copy"
      onClick={() => {
        navigator.clipboard.writeText(text).then(
          () => setDone('copied'),
          () => setDone('failed'),
        );
        setTimeout(() => setDone(null), 2000);
      }}
    >
      {label}
      <span aria-live="polite" className="copy-state">
        {done === 'copied' ? ' ✓ copied' : done === 'failed' ? ' (select and copy by hand)' : ''}
      </span>
    </button>
  );
}
