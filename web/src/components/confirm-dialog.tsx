import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

interface Props {
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  /** False keeps the confirm button disabled (e.g. until a required reason is given). */
  ready?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/** A modal question: focus moves into it, Escape cancels, focus returns to the opener on close. */
export function ConfirmDialog({ title, children, confirmLabel, danger, busy, ready = true, onConfirm, onCancel }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    ref.current?.querySelector<HTMLElement>('input, textarea, button:not([data-cancel])')?.focus();
    return () => opener?.focus();
  }, []);
  return (
    <div class="overlay">
      <div
        ref={ref}
        class="dialog card"
        role="dialog"
        aria-modal="true"
        aria-labelledby="dialog-title"
        onKeyDown={(e) => {
          if (e.key === 'Escape') onCancel();
          if (e.key !== 'Tab') return;
          // Keep Tab inside the dialog.
          const items = [...(ref.current?.querySelectorAll<HTMLElement>('input, textarea, select, button') ?? [])];
          const first = items[0];
          const last = items.at(-1);
          const wrapTo = e.shiftKey
            ? document.activeElement === first
              ? last
              : undefined
            : document.activeElement === last
              ? first
              : undefined;
          if (wrapTo) {
            e.preventDefault();
            wrapTo.focus();
          }
        }}
      >
        <h2 id="dialog-title">{title}</h2>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            onConfirm();
          }}
        >
          {children}
          <div class="dialog-actions">
            <button type="button" class="btn" data-cancel onClick={onCancel}>
              Cancel
            </button>
            <button type="submit" class={`btn ${danger ? 'btn-danger' : 'btn-primary'}`} disabled={busy || !ready}>
              {busy ? 'Working…' : confirmLabel}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
