/**
 * The workflow editor: each step's id, type and config (JSON), checked by the server on save,
 * whose message names the step and field; the last input and output of each step; run, send a
 * signed test event, and ask for a new webhook secret (a confirmation whose form the page answers,
 * showing the secret once). What the user typed is kept on errors.
 */
import { useSignal } from "@preact/signals";
import ConfirmButton from "./ConfirmButton.tsx";
import type { Confirmation } from "../components/confirm_types.ts";
import { JsonBlock } from "../components/JsonBlock.tsx";
import { BusyButton } from "../components/BusyButton.tsx";

interface StepDraft {
  id: string;
  type: string;
  config: string;
}

interface LastRun {
  input: unknown;
  output: unknown;
  error: string | null;
  status: string;
}

const TYPES = ["transform", "condition", "http", "query", "llm", "sync", "artifact"];
const EXAMPLES: Record<string, unknown> = {
  transform: { expression: "trigger.payload" },
  condition: { if: "trigger.payload.amount > 100", then: "end" },
  http: { method: "POST", url: "https://example.com/hook", body: { id: "{{ trigger.payload.id }}" } },
  query: { connector_id: "", dataset: "", query: { limit: 100 } },
  llm: { prompt: "Summarise: {{ $string(trigger.payload) }}" },
  sync: { connector_id: "" },
  artifact: { type: "document", name: "Report", content: "$string(trigger.payload)" },
};

async function errorMessage(res: Response): Promise<string> {
  const body = await res.json().catch(() => undefined) as { error?: { message?: string } } | undefined;
  return body?.error?.message ?? `The server answered ${res.status}: try again`;
}

export default function WorkflowEditor(props: {
  /** The question before a new signing secret is made (components/confirmations.ts). */
  rotate: Confirmation;
  workflowId: string;
  name: string;
  steps: { id: string; type: string; config: Record<string, unknown> }[];
  config: Record<string, unknown>;
  webhookUrl: string;
  lastRuns: Record<string, LastRun>;
}) {
  const base = `/api/workflows/${props.workflowId}`;
  const steps = useSignal<StepDraft[]>(
    props.steps.map((s) => ({ id: s.id, type: s.type, config: JSON.stringify(s.config, null, 2) })),
  );
  const message = useSignal<{ ok: boolean; text: string } | null>(null);
  const busy = useSignal(false);
  /** The button whose request is on its way ("save", "run", "test-event", "rotate"). */
  const working = useSignal<string | null>(null);

  function update(index: number, change: Partial<StepDraft>) {
    steps.value = steps.value.map((s, i) => (i === index ? { ...s, ...change } : s));
  }

  async function save(what = "save"): Promise<boolean> {
    const parsed = [];
    for (const [index, step] of steps.value.entries()) {
      try {
        parsed.push({ id: step.id.trim(), type: step.type, config: JSON.parse(step.config || "{}") });
      } catch (error) {
        message.value = {
          ok: false,
          text: `Step ${index + 1} ("${step.id}"): the config is not valid JSON (${
            (error as Error).message
          }). Fix it and save again.`,
        };
        return false;
      }
    }
    busy.value = true;
    working.value = what;
    try {
      const res = await fetch(base, {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ steps: parsed }),
      });
      message.value = res.ok
        ? { ok: true, text: "Saved." }
        : { ok: false, text: `Not saved: ${await errorMessage(res)}` };
      return res.ok;
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
          Deliveries are signed with Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature). The signing
          secret was shown when the workflow was made; a new one can be made here (the old one keeps working for a day).
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
        {steps.value.map((step, index) => {
          const last = props.lastRuns[step.id];
          return (
            <li class="card step" key={index} data-testid="step">
              <div class="inline-form">
                <label>
                  Id{" "}
                  <input
                    type="text"
                    value={step.id}
                    onInput={(e) => update(index, { id: e.currentTarget.value })}
                    size={12}
                  />
                </label>
                <label>
                  Type{" "}
                  <select
                    value={step.type}
                    onChange={(e) => {
                      const type = e.currentTarget.value;
                      update(index, { type, config: JSON.stringify(EXAMPLES[type] ?? {}, null, 2) });
                    }}
                  >
                    {TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
                  </select>
                </label>
                <button
                  type="button"
                  class="button small danger"
                  onClick={() => (steps.value = steps.value.filter((_, i) => i !== index))}
                  disabled={steps.value.length === 1}
                >
                  Remove
                </button>
              </div>
              <label class="stack">
                Config (JSON)
                <textarea
                  rows={5}
                  spellcheck={false}
                  value={step.config}
                  onInput={(e) => update(index, { config: e.currentTarget.value })}
                  aria-label={`Config of step ${step.id}`}
                />
              </label>
              {last && (
                <details>
                  <summary>Last run: {last.status}</summary>
                  {last.error && <p class="alert">{last.error}</p>}
                  <p class="small muted">Output</p>
                  <JsonBlock value={last.output} label="Output" />
                  <p class="small muted">Input</p>
                  <JsonBlock value={last.input} label="Input" />
                </details>
              )}
            </li>
          );
        })}
      </ol>
      <div class="inline-form">
        <button
          type="button"
          class="button"
          onClick={() => {
            const n = steps.value.length + 1;
            steps.value = [...steps.value, {
              id: `step${n}`,
              type: "transform",
              config: JSON.stringify(EXAMPLES.transform, null, 2),
            }];
          }}
        >
          Add step
        </button>
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
