import { useId } from 'react';
import { RANGE_PRESETS, type RangeChoice, type RangePreset } from '../time-range';

/** Presets as buttons, and two date inputs for a custom range (calendar days, both inclusive). */
export function RangePicker({
  value,
  onChange,
  days,
}: {
  value: RangeChoice;
  onChange: (r: RangeChoice) => void;
  /** The days the current choice covers, to start a custom range from. */
  days: { first: string; last: string };
}) {
  const id = useId();
  return (
    <fieldset className="range">
      <legend className="sr-only">Time range</legend>
      <label htmlFor={`${id}-preset`} className="sr-only">
        Range
      </label>
      <select
        id={`${id}-preset`}
        value={value.preset}
        onChange={(e) => {
          const preset = e.target.value as RangePreset | 'custom';
          onChange(preset === 'custom' ? { preset, from: days.first, to: days.last } : { preset });
        }}
      >
        {Object.entries(RANGE_PRESETS).map(([k, label]) => (
          <option key={k} value={k}>
            {label}
          </option>
        ))}
        <option value="custom">Custom…</option>
      </select>
      {value.preset === 'custom' && (
        <>
          <label>
            <span className="sr-only">From</span>
            <input
              type="date"
              aria-label="From"
              value={value.from}
              max={value.to}
              onChange={(e) => e.target.value && onChange({ ...value, from: e.target.value })}
            />
          </label>
          <span aria-hidden="true">–</span>
          <label>
            <span className="sr-only">To</span>
            <input
              type="date"
              aria-label="To"
              value={value.to}
              min={value.from}
              onChange={(e) => e.target.value && onChange({ ...value, to: e.target.value })}
            />
          </label>
        </>
      )}
    </fieldset>
  );
}
