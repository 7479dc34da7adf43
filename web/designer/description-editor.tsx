// The integration's description under its name in the designer: read at a glance, edited in place, saved on its own
// (Enter or leaving the field), apart from the graph's Save, since it is not part of what runs.
import { useRef, useState } from 'react';
import type { Integration } from '../../shared';
import { api, errorMessage } from '../api';
import { toast } from '../lib/toasts';

const MAX = 2000;

export function DescriptionEditor({ id, initial, canEdit, onSaved }: { id: string; initial: string; canEdit: boolean; onSaved(saved: Integration): void }) {
  const [text, setText] = useState(initial);
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const saved = useRef(initial);
  const button = useRef<HTMLButtonElement>(null);

  async function commit(value: string) {
    setEditing(false);
    const next = value.trim();
    setText(next);
    requestAnimationFrame(() => button.current?.focus());
    if (next === saved.current) return;
    setBusy(true);
    try {
      const result = await api.updateIntegration(id, { description: next });
      saved.current = result.description;
      onSaved(result);
      toast(next ? 'Description saved' : 'Description removed', 'success');
    } catch (e) {
      setText(saved.current);
      toast(`Description not saved: ${errorMessage(e)}`, 'error');
    } finally {
      setBusy(false);
    }
  }

  if (!canEdit) return text ? <span className="designer-desc designer-desc--text" data-testid="integration-description">{text}</span> : null;
  if (editing) {
    return (
      <input
        className="input input--sm designer-desc__input"
        defaultValue={text}
        maxLength={MAX}
        autoFocus
        aria-label="Description"
        placeholder="What this integration does, e.g. Shop orders into the CRM every night"
        onBlur={(e) => void commit(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            e.currentTarget.blur();
          } else if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            e.currentTarget.value = text;
            e.currentTarget.blur();
          }
        }}
        data-testid="integration-description-input"
      />
    );
  }
  return (
    <button
      ref={button}
      type="button"
      className={`designer-desc${text ? '' : ' designer-desc--empty'}`}
      onClick={() => setEditing(true)}
      title={text ? `${text} — click to edit` : 'Say what this integration does'}
      aria-label={text ? `Description: ${text}. Edit` : 'Add a description'}
      disabled={busy}
      data-testid="integration-description"
    >
      {text || 'Add a description'}
    </button>
  );
}
