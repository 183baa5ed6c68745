/** A select for the step forms: options as values or [value, words]; a value not among them is kept as an option. */
import type { JSX } from "preact";

/** The id and error wiring a field's control carries. */
export type Invalid = Pick<JSX.HTMLAttributes<HTMLInputElement>, "id" | "aria-invalid" | "aria-describedby">;

/** A select showing `value`, kept as an option even when the list does not hold it (nothing saved is dropped). */
export function Select(
  props: {
    attrs: Invalid & { "aria-label"?: string };
    value: string;
    set: (v: string) => void;
    options: (string | string[])[];
  },
) {
  const options = props.options.map((o) => (typeof o === "string" ? [o, o] : o));
  if (!options.some(([v]) => v === props.value)) options.push([props.value, props.value]);
  return (
    <select
      {...props.attrs as JSX.HTMLAttributes<HTMLSelectElement>}
      value={props.value}
      onChange={(e) => props.set(e.currentTarget.value)}
    >
      {options.map(([v, words]) => <option key={v} value={v}>{words}</option>)}
    </select>
  );
}
