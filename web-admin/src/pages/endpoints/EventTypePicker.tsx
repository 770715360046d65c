import { Checkbox } from '../../components/Field';
import { EVENT_FAMILIES, EVENT_TYPES } from '../../api/eventTypes';

interface EventTypePickerProps {
  selected: ReadonlySet<string>;
  onChange: (selected: Set<string>) => void;
  error?: string;
}

/** Checkboxes per event family, with a family-level toggle. */
export function EventTypePicker({ selected, onChange, error }: EventTypePickerProps) {
  const toggle = (types: readonly string[], on: boolean) => {
    const next = new Set(selected);
    types.forEach((type) => (on ? next.add(type) : next.delete(type)));
    onChange(next);
  };
  return (
    <fieldset className={`event-picker${error ? ' field--invalid' : ''}`} aria-describedby={error ? 'event-picker-error' : undefined}>
      <legend>Event types</legend>
      <div className="event-picker__families">
        {EVENT_FAMILIES.map((family) => {
          const types = EVENT_TYPES[family];
          const all = types.every((type) => selected.has(type));
          return (
            <div key={family} className="event-picker__family">
              <Checkbox
                label={<strong>All {family} events</strong>}
                checked={all}
                onChange={(event) => toggle(types, event.target.checked)}
              />
              <div className="event-picker__types">
                {types.map((type) => (
                  <Checkbox
                    key={type}
                    label={<code>{type}</code>}
                    checked={selected.has(type)}
                    onChange={(event) => toggle([type], event.target.checked)}
                  />
                ))}
              </div>
            </div>
          );
        })}
      </div>
      {error && (
        <div id="event-picker-error" className="field__error">
          {error}
        </div>
      )}
    </fieldset>
  );
}
