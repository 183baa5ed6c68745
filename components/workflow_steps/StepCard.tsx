/**
 * One step in the workflow editor: its number, id (checked as it is typed), type, the buttons to
 * move, edit as JSON and remove it, its fields (or its config as JSON), messages beside what they
 * name, and its last run. The editor island holds the state; this only draws it and reports edits.
 */
import { useRef } from "preact/hooks";
import { idProblem, parseConfig, type StepForm, type StepTypeName, toForm } from "./forms.ts";
import { type Connector, type Dataset, StepFields } from "./StepFields.tsx";
import { LastRun, type LastRunData } from "./LastRun.tsx";

/** A step as the editor holds it. */
export interface StepDraft {
  /** Stable across edits and moves (ids change as they are typed). */
  key: number;
  id: string;
  /** The id the server has this step under (null for a new step): a save sends the rename. */
  savedId: string | null;
  type: StepTypeName;
  form: StepForm;
  /** The config as JSON text while "Edit as JSON" is on, else null. */
  json: string | null;
}

interface Props {
  step: StepDraft;
  index: number;
  /** Every step's id, in order (this one's included). */
  ids: string[];
  /** Messages by field: "" for the step as a whole, "id", "json", or a config field. */
  errors: Record<string, string>;
  lastRun: LastRunData | undefined;
  connectors: Connector[] | null;
  datasets: (connectorId: string) => Dataset[] | null | undefined;
  onChange: (change: Partial<StepDraft>) => void;
  /** The id changed from one valid id to another (when the field is left). */
  onRename: (from: string, to: string) => void;
  onMove: (by: -1 | 1) => void;
  onToggleJson: () => void;
  onRemove: () => void;
}

/** A step's card. */
export function StepCard(props: Props) {
  const { step, index, errors } = props;
  const uid = `step-${step.key}`;
  const idError = errors.id ?? (step.id ? idProblem(step.id.trim(), props.ids) : undefined);
  const name = step.id || `${index + 1}`;
  const renamedFrom = useRef(step.id.trim());
  const tool = (
    label: string,
    words: string,
    disabled: boolean,
    onClick: () => void,
    danger = false,
    data?: string,
  ) => (
    <button
      type="button"
      data-move={data}
      class={`button small${danger ? " danger" : ""}`}
      aria-label={label}
      disabled={disabled}
      onClick={onClick}
    >
      {words}
    </button>
  );
  return (
    <li class="card step" id={uid} tabIndex={-1} data-testid="step">
      <div class="step-head">
        <span class="step-number" aria-hidden="true">{index + 1}</span>
        <div class="step-id">
          <label for={`${uid}-id`}>Step id</label>
          <input
            id={`${uid}-id`}
            type="text"
            value={step.id}
            size={14}
            spellcheck={false}
            aria-invalid={idError ? "true" : undefined}
            aria-describedby={idError ? `${uid}-id-error` : undefined}
            onFocus={() => (renamedFrom.current = step.id.trim())}
            onInput={(e) => props.onChange({ id: e.currentTarget.value })}
            onChange={(e) => {
              const to = e.currentTarget.value.trim();
              if (!idProblem(to, props.ids)) props.onRename(renamedFrom.current, to);
              renamedFrom.current = to;
            }}
          />
          {idError && <span id={`${uid}-id-error`} class="field-error">{idError}</span>}
        </div>
        <span class="step-type" data-testid="step-type">{step.type}</span>
        <div class="step-tools">
          {tool(`Move step ${name} up`, "↑", index === 0, () => props.onMove(-1), false, "up")}
          {tool(`Move step ${name} down`, "↓", index === props.ids.length - 1, () => props.onMove(1), false, "down")}
          <button type="button" class="button small" aria-pressed={step.json !== null} onClick={props.onToggleJson}>
            Edit as JSON
          </button>
          {tool(`Remove step ${name}`, "Remove", props.ids.length === 1, props.onRemove, true)}
        </div>
      </div>
      {errors[""] && <p class="field-error" role="alert">{errors[""]}</p>}
      {step.json !== null
        ? (
          <div class="step-field wide">
            <label for={`${uid}-json`}>Config (JSON)</label>
            <textarea
              id={`${uid}-json`}
              class="code"
              rows={Math.min(16, Math.max(4, step.json.split("\n").length))}
              spellcheck={false}
              value={step.json}
              aria-invalid={errors.json ? "true" : undefined}
              aria-describedby={errors.json ? `${uid}-json-error` : undefined}
              onInput={(e) => {
                const json = e.currentTarget.value;
                const config = parseConfig(json);
                // Valid JSON keeps the fields in step, so turning the box off shows them.
                props.onChange(typeof config === "string" ? { json } : { json, form: toForm(step.type, config) });
              }}
            />
            {errors.json && <span id={`${uid}-json-error`} class="field-error">{errors.json}</span>}
          </div>
        )
        : (
          <StepFields
            uid={uid}
            type={step.type}
            form={step.form}
            errors={errors}
            onChange={(form) => props.onChange({ form })}
            connectors={props.connectors}
            datasets={props.datasets}
            laterSteps={props.ids.slice(index + 1).filter(Boolean)}
          />
        )}
      <LastRun run={props.lastRun} />
    </li>
  );
}
