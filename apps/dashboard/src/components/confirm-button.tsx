import { useState } from 'react';
import { canAdmin, useOrg, VIEWER_REASON } from '../org';

/** A destructive action in two steps (no browser dialog): the first press asks, the second acts. */
export function ConfirmButton({
  label,
  confirm,
  onConfirm,
  disabled,
  busy,
}: {
  label: string;
  confirm: string;
  onConfirm: () => void;
  disabled: boolean;
  busy: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const org = useOrg();
  if (asking)
    return (
      <span className="confirm">
        <button type="button" className="danger" onClick={onConfirm} disabled={busy}>
          {confirm}
        </button>
        <button type="button" onClick={() => setAsking(false)}>
          Cancel
        </button>
      </span>
    );
  return (
    <button
      type="button"
      onClick={() => setAsking(true)}
      disabled={disabled}
      title={disabled && !canAdmin(org.role) ? VIEWER_REASON : undefined}
    >
      {label}
    </button>
  );
}
