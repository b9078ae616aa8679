import { useEffect, useId, useRef, useState } from 'react';

export interface Option {
  value: string;
  label: string;
  hint?: string;
}

/**
 * A filter of many values: a button that opens a list with a search box and checkboxes.
 * Escape or a click outside closes it; the options load only once it is open.
 */
export function MultiSelect({
  label,
  selected,
  onChange,
  options,
  loading,
  onOpen,
}: {
  label: string;
  selected: string[];
  onChange: (values: string[]) => void;
  options: Option[];
  loading: boolean;
  onOpen: () => void;
}) {
  const [open, setOpen] = useState(false);
  const [search, setSearch] = useState('');
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const id = useId();

  useEffect(() => {
    if (!open) return;
    const away = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', away);
    return () => document.removeEventListener('mousedown', away);
  }, [open]);

  const needle = search.trim().toLowerCase();
  // Chosen values stay listed even when the current range has none of them.
  const all: Option[] = [
    ...options,
    ...selected
      .filter((v) => !options.some((o) => o.value === v))
      .map((v) => ({ value: v, label: v || '(none)' })),
  ];
  const shown = needle ? all.filter((o) => o.label.toLowerCase().includes(needle)) : all;
  const toggle = (value: string) =>
    onChange(selected.includes(value) ? selected.filter((v) => v !== value) : [...selected, value]);

  return (
    <div
      className="multi"
      ref={root}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          setOpen(false);
          button.current?.focus();
        }
      }}
    >
      <button
        ref={button}
        type="button"
        aria-expanded={open}
        aria-controls={`${id}-panel`}
        className={selected.length ? 'active' : ''}
        onClick={() => {
          if (!open) onOpen();
          setOpen(!open);
        }}
      >
        {label}
        {selected.length ? ` (${selected.length})` : ''} <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <div
          className="multi-panel"
          id={`${id}-panel`}
          role="group"
          aria-label={`Filter by ${label.toLowerCase()}`}
        >
          <input
            type="search"
            aria-label={`Search ${label.toLowerCase()} values`}
            placeholder={`Search ${label.toLowerCase()}…`}
            value={search}
            autoFocus
            onChange={(e) => setSearch(e.target.value)}
          />
          {loading && <p className="hint">Loading…</p>}
          <ul>
            {shown.slice(0, 200).map((o) => (
              <li key={o.value}>
                <label>
                  <input
                    type="checkbox"
                    checked={selected.includes(o.value)}
                    onChange={() => toggle(o.value)}
                  />{' '}
                  {o.label}
                  {o.hint && <span className="muted"> {o.hint}</span>}
                </label>
              </li>
            ))}
          </ul>
          {!loading && shown.length === 0 && <p className="hint">No values match.</p>}
          {shown.length > 200 && <p className="hint">{shown.length - 200} more: narrow the search.</p>}
          <div className="row">
            <button type="button" onClick={() => onChange([])} disabled={!selected.length}>
              Clear
            </button>
            <button type="button" onClick={() => setOpen(false)}>
              Done
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
