/**
 * The workflow editor: each step's id and its type's fields (components/workflow_steps/), or its
 * config as JSON for those who prefer it; add, remove (with undo), and reorder steps. Ids and
 * fields are checked before saving, and the server's refusal is put beside the field it names, as
 * a sentence; what the user typed is kept. Each step shows its last input and output. Run, send a
 * signed test event, and ask for a new webhook secret (a confirmation whose form the page answers,
 * showing the secret once).
 */
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import {
  fieldLabel,
  FieldProblem,
  freshId,
  idProblem,
  newForm,
  parseConfig,
  placeRefusal,
  STEP_TYPES,
  type StepTypeName,
  toConfig,
  toForm,
} from "../components/workflow_steps/forms.ts";
import type { Connector, Dataset } from "../components/workflow_steps/StepFields.tsx";
import type { LastRunData } from "../components/workflow_steps/LastRun.tsx";
import { StepCard, type StepDraft } from "../components/workflow_steps/StepCard.tsx";
import ConfirmButton from "./ConfirmButton.tsx";
import type { Confirmation } from "../components/confirm_types.ts";
import { BusyButton } from "../components/BusyButton.tsx";

type SavedStep = { id: string; type: string; config: Record<string, unknown> };
/** Messages by step key, then field ("" for the step as a whole, "id", "json", or a config field). */
type Problems = Record<number, Record<string, string>>;

/** A saved step as a draft; keys follow the saved order, so the server and the browser agree on them. */
const draftOf = (s: SavedStep, index: number): StepDraft => {
  const type = s.type as StepTypeName;
  return { key: index + 1, id: s.id, savedId: s.id, type, form: toForm(type, s.config), json: null };
};

/** The `items` a GET lists, or none when it fails (the fields then take a typed id or name). */
async function items<T>(url: string): Promise<T[]> {
  try {
    const res = await fetch(url);
    return res.ok ? (await res.json() as { items: T[] }).items : [];
  } catch {
    return [];
  }
}

async function errorMessage(res: Response): Promise<string> {
  const body = await res.json().catch(() => undefined) as { error?: { message?: string } } | undefined;
  return body?.error?.message ?? `The server answered ${res.status}: try again`;
}

export default function WorkflowEditor(props: {
  /** The question before a new signing secret is made (components/confirmations.ts). */
  rotate: Confirmation;
  workflowId: string;
  name: string;
  steps: SavedStep[];
  config: Record<string, unknown>;
  webhookUrl: string;
  lastRuns: Record<string, LastRunData>;
  /** A new signing secret is shown above the editor (just made), so the card does not say it was shown only once before. */
  secretShown?: boolean;
}) {
  const base = `/api/workflows/${props.workflowId}`;
  const steps = useSignal<StepDraft[]>(props.steps.map(draftOf));
  const problems = useSignal<Problems>({});
  const removed = useSignal<{ step: StepDraft; index: number } | null>(null);
  const addType = useSignal<StepTypeName>("transform");
  const connectors = useSignal<Connector[] | null>(null);
  /** Datasets by connector id; null while they load. */
  const datasets = useSignal<Record<string, Dataset[] | null>>({});
  const message = useSignal<{ ok: boolean; text: string } | null>(null);
  const busy = useSignal(false);
  /** The button whose request is on its way ("save", "run", "test-event", "rotate"). */
  const working = useSignal<string | null>(null);
  const lastKey = useRef(props.steps.length);

  const wantsConnectors = steps.value.some((s) => s.type === "query" || s.type === "sync");
  useEffect(() => {
    if (!wantsConnectors || connectors.value) return;
    items<Connector>("/api/connectors?limit=100").then((list) =>
      connectors.value = list.map(({ id, name }) => ({ id, name }))
    );
  }, [wantsConnectors]);
  const queried = steps.value.filter((s) => s.type === "query").map((s) => s.form.fields.connector_id ?? "");
  useEffect(() => {
    for (const id of queried) {
      if (!/^[0-9a-f-]{36}$/.test(id) || id in datasets.value) continue;
      datasets.value = { ...datasets.value, [id]: null };
      items<Dataset>(`/api/connectors/${id}/datasets`).then((list) =>
        datasets.value = { ...datasets.value, [id]: list.map(({ name, columns }) => ({ name, columns })) }
      );
    }
  }, [queried.join(" ")]);

  function update(key: number, change: Partial<StepDraft>) {
    steps.value = steps.value.map((s) => (s.key === key ? { ...s, ...change } : s));
    const { [key]: _, ...rest } = problems.value;
    if (problems.value[key]) problems.value = rest;
  }

  /** After an id changed from `from` to `to`, conditions that went to `from` go to `to`. */
  function renameTargets(from: string, to: string) {
    if (from === to || !from || !to) return;
    steps.value = steps.value.map((s) => {
      if (s.type !== "condition") return s;
      const fields = { ...s.form.fields };
      for (const branch of ["then", "else"]) if (fields[branch] === from) fields[branch] = to;
      return { ...s, form: { ...s.form, fields } };
    });
  }

  /**
   * Swaps a step with its neighbour. The keyboard's focus stays on the moved step: on the same move
   * button, or on the other one when this one is now disabled (the step reached the top or bottom).
   */
  function move(index: number, by: number) {
    const list = [...steps.value];
    [list[index], list[index + by]] = [list[index + by], list[index]];
    steps.value = list;
    const key = list[index + by].key;
    setTimeout(() => {
      const buttons = document.querySelectorAll<HTMLButtonElement>(`#step-${key} button[data-move]`);
      const same = [...buttons].find((b) => b.dataset.move === (by < 0 ? "up" : "down"));
      const other = [...buttons].find((b) => b !== same);
      (same && !same.disabled ? same : other && !other.disabled ? other : document.getElementById(`step-${key}`))
        ?.focus();
    });
  }

  function remove(index: number) {
    removed.value = { step: steps.value[index], index };
    steps.value = steps.value.filter((_, i) => i !== index);
  }

  function undoRemove() {
    const r = removed.value;
    if (!r) return;
    const list = [...steps.value];
    list.splice(Math.min(r.index, list.length), 0, r.step);
    steps.value = list;
    removed.value = null;
  }

  function add() {
    const type = addType.value;
    const id = freshId(type, steps.value.map((s) => s.id));
    const draft: StepDraft = { key: ++lastKey.current, id, savedId: null, type, form: newForm(type), json: null };
    steps.value = [...steps.value, draft];
  }

  /** Turns "Edit as JSON" on or off; off only when the JSON can become the fields. */
  function toggleJson(step: StepDraft) {
    if (step.json === null) {
      // What the fields hold, even half filled in: the server checks it on save.
      update(step.key, { json: JSON.stringify(toConfig(step.type, step.form, true), null, 2) });
      return;
    }
    const config = parseConfig(step.json);
    if (typeof config === "string") problems.value = { ...problems.value, [step.key]: { json: config } };
    else update(step.key, { json: null, form: toForm(step.type, config) });
  }

  /** The label of a step's field, as the form shows it. */
  function labelOf(step: StepDraft, field: string): string {
    if (field === "id") return "Step id";
    if (field === "json") return "Config (JSON)";
    return fieldLabel(step.type, field);
  }

  /** Each step as the API takes it, or the problems found before sending. */
  function collect(): { steps: SavedStep[]; problems: Problems } {
    const found: Problems = {};
    const ids = steps.value.map((s) => s.id.trim());
    const out = steps.value.map((step) => {
      const put = (field: string, text: string) => (found[step.key] = { ...found[step.key], [field]: text });
      const bad = idProblem(step.id.trim(), ids);
      if (bad) put("id", bad);
      let config: Record<string, unknown> = {};
      if (step.json !== null) {
        const parsed = parseConfig(step.json);
        if (typeof parsed === "string") put("json", parsed);
        else config = parsed;
      } else {
        try {
          config = toConfig(step.type, step.form);
        } catch (error) {
          if (!(error instanceof FieldProblem)) throw error;
          put(error.field, error.message);
        }
      }
      return { id: step.id.trim(), type: step.type, config };
    });
    return { steps: out, problems: found };
  }

  /** Says what is wrong beside its fields and in one line below, and moves to the first. */
  function refuse(found: Problems) {
    problems.value = found;
    const [key, fields] = Object.entries(found)[0];
    const step = steps.value.find((s) => s.key === Number(key))!;
    const [field, text] = Object.entries(fields)[0];
    const label = labelOf(step, field);
    const lower = /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
    message.value = { ok: false, text: `Not saved: step “${step.id}”${label ? `, ${label}` : ""}: ${lower}` };
    const target = field === "" ? `step-${key}` : field === "id" ? `step-${key}-id` : `step-${key}-${field}`;
    setTimeout(() => document.getElementById(target)?.focus());
  }

  async function save(what = "save"): Promise<boolean> {
    const collected = collect();
    if (Object.keys(collected.problems).length) {
      refuse(collected.problems);
      return false;
    }
    const sent = steps.value;
    // Sealed secret headers are kept by step id: a renamed step says which it was.
    const renamed = sent.filter((s) => s.savedId && s.savedId !== s.id.trim()).map((s) => [s.savedId, s.id.trim()]);
    busy.value = true;
    working.value = what;
    try {
      const res = await fetch(base, {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          steps: collected.steps,
          ...(renamed.length ? { renamed_steps: Object.fromEntries(renamed) } : {}),
        }),
      });
      if (res.ok) {
        const saved = (await res.json() as { steps: SavedStep[] }).steps;
        const savedIds = new Map(sent.map((s, i) => [s.key, saved[i].id]));
        // The server's view: new secret values come back masked, defaults applied (unless the
        // steps were changed while the save was on its way: those changes stay).
        if (steps.value === sent) {
          steps.value = sent.map((s, i) => {
            const form = toForm(s.type, saved[i].config);
            return {
              ...s,
              id: saved[i].id,
              form,
              json: s.json === null ? null : JSON.stringify(saved[i].config, null, 2),
            };
          });
        }
        steps.value = steps.value.map((s) => ({ ...s, savedId: savedIds.get(s.key) ?? s.savedId }));
        problems.value = {};
        message.value = { ok: true, text: "Saved." };
        return true;
      }
      const text = await errorMessage(res);
      const placed = placeRefusal(text);
      const key = placed.index === null ? undefined : sent[placed.index]?.key;
      const step = steps.value.find((s) => s.key === key);
      if (!step) {
        problems.value = {};
        message.value = { ok: false, text: `Not saved: ${placed.text}` };
        return false;
      }
      const field = step.json !== null && placed.field !== "id"
        ? "json"
        : placed.field.startsWith("query.") && !step.form.query
        ? "query" // a query edited as JSON has no field for each part
        : labelOf(step, placed.field)
        ? placed.field
        : "";
      const fieldLabel = labelOf(step, placed.field);
      const words = field === "json" && fieldLabel ? `${fieldLabel}: ${placed.text}` : placed.text;
      refuse({ [step.key]: { [field]: words } });
      return false;
    } finally {
      busy.value = false;
      working.value = null;
    }
  }

  async function start(path: string, body: unknown) {
    if (!await save(path)) return;
    busy.value = true;
    working.value = path;
    const res = await fetch(`${base}/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }).catch(() => undefined);
    if (!res?.ok) {
      busy.value = false;
      working.value = null;
      message.value = { ok: false, text: res ? await errorMessage(res) : "The server cannot be reached: try again" };
      return;
    }
    // Busy until the execution's page replaces this one, so it cannot be started twice.
    const { execution_id } = await res.json() as { execution_id: string };
    location.assign(`/workflows/executions/${execution_id}`);
  }

  return (
    <div class="workflow-editor">
      <div class="card">
        <p>
          Webhook URL: <code data-testid="webhook-url">{props.webhookUrl}</code>
        </p>
        <p class="muted small">
          Deliveries are signed with Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature).{" "}
          {props.secretShown
            ? "Copy the new signing secret above now: it is not shown again."
            : "The signing secret was shown when the workflow was made; a new one can be made here (the old one keeps working for a day)."}
        </p>
        <div class="inline-form">
          <ConfirmButton
            label="New signing secret…"
            confirmation={props.rotate}
            class="button"
            testId="rotate-secret"
          />
          <BusyButton
            class="button"
            onClick={() => start("test-event", {})}
            disabled={busy.value}
            busy={working.value === "test-event"}
            busyLabel="Sending…"
          >
            Send test event
          </BusyButton>
          <BusyButton
            class="button primary"
            onClick={() => start("run", { input: {} })}
            disabled={busy.value}
            busy={working.value === "run"}
            busyLabel="Starting…"
          >
            Run now
          </BusyButton>
        </div>
      </div>
      <h2 class="steps-heading">Steps</h2>
      <ol class="steps">
        {steps.value.map((step, index) => (
          <StepCard
            key={step.key}
            step={step}
            index={index}
            ids={steps.value.map((s) => s.id.trim())}
            errors={problems.value[step.key] ?? {}}
            // While its id is being edited, a step still shows the run it had under its saved id.
            lastRun={props.lastRuns[step.savedId ?? step.id]}
            connectors={connectors.value}
            datasets={(id) => datasets.value[id]}
            onChange={(change) => update(step.key, change)}
            onRename={renameTargets}
            onMove={(by) => move(index, by)}
            onToggleJson={() => toggleJson(step)}
            onRemove={() => remove(index)}
          />
        ))}
      </ol>
      {removed.value && (
        <p class="notice step-removed" role="status">
          Removed step “{removed.value.step.id}”.{" "}
          <button type="button" class="button small" onClick={undoRemove}>Undo</button>
        </p>
      )}
      <div class="inline-form step-add">
        <label>
          New step of type{" "}
          <select value={addType.value} onChange={(e) => (addType.value = e.currentTarget.value as StepTypeName)}>
            {STEP_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </label>
        <button type="button" class="button" onClick={add}>Add step</button>
        <BusyButton
          class="button primary"
          onClick={() => save()}
          disabled={busy.value}
          busy={working.value === "save"}
          busyLabel="Saving…"
        >
          Save
        </BusyButton>
      </div>
      {message.value && (
        <p
          class={message.value.ok ? "notice" : "alert"}
          role={message.value.ok ? "status" : "alert"}
          data-testid="editor-message"
        >
          {message.value.text}
        </p>
      )}
    </div>
  );
}
