import { useState, type FormEvent } from 'react';
import { Button } from '../../components/Button';
import { TextField } from '../../components/Field';

/** A search box that applies on Enter or the Search button (not on every keystroke). */
export function SearchForm({ label, placeholder, onSearch }: { label: string; placeholder?: string; onSearch: (value: string) => void }) {
  const [draft, setDraft] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSearch(draft.trim());
  };
  return (
    <form className="inline-form" role="search" onSubmit={submit}>
      <TextField label={label} type="search" placeholder={placeholder} value={draft} onChange={(event) => setDraft(event.target.value)} />
      <Button type="submit">Search</Button>
    </form>
  );
}
