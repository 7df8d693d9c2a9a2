import { useEffect, useState } from 'preact/hooks';

export interface ToastMessage {
  text: string;
  tone: 'ok' | 'error';
  at: number;
}

/** A polite live region: results of writes are announced without moving focus. */
export function Toast({ message }: { message: ToastMessage | undefined }) {
  const [visible, setVisible] = useState(false);
  useEffect(() => {
    if (!message) return;
    setVisible(true);
    const t = setTimeout(() => setVisible(false), message.tone === 'error' ? 8000 : 4000);
    return () => clearTimeout(t);
  }, [message]);
  return (
    <div class="toast-region" role="status" aria-live="polite">
      {visible && message && <div class={`toast toast-${message.tone}`}>{message.text}</div>}
    </div>
  );
}
