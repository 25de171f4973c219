// A modal confirmation (RST is destructive): focus starts on Cancel, Esc cancels, Tab stays inside.
import { useEffect, useRef, type ReactNode } from 'react';

interface Props {
  title: string;
  body: string;
  ok: string;
  cancel: string;
  onOk: () => void;
  onCancel: () => void;
}

export function ConfirmDialog({ title, body, ok, cancel, onOk, onCancel }: Props): ReactNode {
  const cancelRef = useRef<HTMLButtonElement>(null);
  const okRef = useRef<HTMLButtonElement>(null);
  useEffect(() => cancelRef.current?.focus(), []);
  return (
    <div className="modal-backdrop" onClick={onCancel}>
      <div
        className="modal"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="confirm-title"
        aria-describedby="confirm-body"
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === 'Escape') onCancel();
          if (e.key === 'Tab') {
            e.preventDefault();
            (document.activeElement === cancelRef.current ? okRef : cancelRef).current?.focus();
          }
        }}
      >
        <h2 id="confirm-title">{title}</h2>
        <p id="confirm-body">{body}</p>
        <div className="modal-buttons">
          <button ref={cancelRef} onClick={onCancel}>{cancel}</button>
          <button ref={okRef} className="danger solid" onClick={onOk}>{ok}</button>
        </div>
      </div>
    </div>
  );
}
