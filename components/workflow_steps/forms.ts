/**
 * Workflow steps as the editor's forms hold them: every field as the text the user typed (so a
 * refusal never loses it), turned into a step's `config` on save and back from one when the
 * "Edit as JSON" box changes. The fields follow each type's zod schema in
 * functions/workflows/steps/*.ts; keys the form does not know (such as `timeout_ms`) ride along.
 */

import { queryOf, queryProblem, type QueryRows, rowsOf } from "../query_form.ts";
import { asSentence } from "../format.ts";

/** Stands for a sealed secret header value (functions/workflows/steps/http.ts SECRET_MASK). */
export const SECRET_MASK = "********";

export const STEP_TYPES = ["transform", "condition", "http", "query", "llm", "sync", "artifact"] as const;
export type StepTypeName = typeof STEP_TYPES[number];

/** What a field looks like on the form. */
export type FieldKind =
  | "line" // one line of text
  | "code" // a JSONata expression or template: a monospace textarea
  | "json" // a JSON value, as text
  | "body" // an http body: JSON when it starts with { or [, else a text template
  | "method"
  | "artifact-type"
  | "connector"
  | "dataset"
  | "target" // a later step's id, "end", or the next step (empty)
  | "headers"
  | "query"; // a structured query: rows of choices (QueryFields), or JSON when they cannot hold it

export interface FieldSpec {
  name: string;
  label: string;
  kind: FieldKind;
  optional?: boolean;
  hint?: string;
  /** Greyed example text in an empty field (never a value that would be saved). */
  placeholder?: string;
}

export const FIELDS: Record<StepTypeName, FieldSpec[]> = {
  transform: [{ name: "expression", label: "Expression", kind: "code", hint: "JSONata over trigger and steps" }],
  condition: [
    { name: "if", label: "If", kind: "code", hint: "a JSONata test" },
    { name: "then", label: "Then go to", kind: "target", optional: true },
    { name: "else", label: "Else go to", kind: "target", optional: true },
  ],
  http: [
    { name: "method", label: "Method", kind: "method" },
    {
      name: "url",
      label: "URL",
      kind: "line",
      hint: "may hold {{ }} templates",
      placeholder: "https://api.example.com/orders/{{ trigger.payload.id }}",
    },
    { name: "headers", label: "Headers", kind: "headers", optional: true },
    {
      name: "body",
      label: "Body",
      kind: "body",
      optional: true,
      hint: "JSON, or text; strings may hold {{ }}",
      placeholder: '{"id": "{{ trigger.payload.id }}"}',
    },
  ],
  query: [
    { name: "connector_id", label: "Connector", kind: "connector" },
    { name: "dataset", label: "Dataset", kind: "dataset" },
    { name: "query", label: "Query", kind: "query", optional: true },
  ],
  llm: [
    { name: "prompt", label: "Prompt template", kind: "code", hint: "{{ }} inserts values" },
    { name: "schema", label: "JSON schema of the answer", kind: "json", optional: true, hint: "optional" },
  ],
  sync: [{ name: "connector_id", label: "Connector", kind: "connector" }],
  artifact: [
    { name: "type", label: "Artifact type", kind: "artifact-type" },
    { name: "name", label: "Name", kind: "line" },
    { name: "content", label: "Content", kind: "code", hint: "a JSONata expression" },
  ],
};

/** One header row of an http step; a secret row's stored value is the mask until replaced. */
export interface HeaderRow {
  name: string;
  value: string;
  secret: boolean;
  /** The server holds a sealed value for it (the row came back masked). */
  stored: boolean;
}

/** A step's form: field texts, header rows (http), and config keys the form has no field for. */
export interface StepForm {
  fields: Record<string, string>;
  headers: HeaderRow[];
  /**
   * A query step's query as rows; absent when the rows cannot hold it exactly (see rowsOf), and
   * then it is JSON text in `fields.query`.
   */
  query?: QueryRows;
  extra: Record<string, unknown>;
}

/** A field that cannot become config: its name and a sentence. */
export class FieldProblem extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

const EXAMPLES: Record<StepTypeName, Record<string, unknown>> = {
  transform: { expression: "trigger.payload" },
  condition: { if: "trigger.payload.amount > 100" },
  // Empty, with examples as placeholders: a new step must not run against a made-up host.
  http: { method: "POST", url: "" },
  query: { connector_id: "", dataset: "", query: { limit: 100 } },
  llm: { prompt: "Summarise: {{ $string(trigger.payload) }}" },
  sync: { connector_id: "" },
  artifact: { type: "document", name: "Report", content: "$string(trigger.payload)" },
};

/** The form a new step of `type` starts with. */
export function newForm(type: StepTypeName): StepForm {
  return toForm(type, EXAMPLES[type]);
}

const pretty = (value: unknown) => JSON.stringify(value, null, 2);

/** A step's config as its form. */
export function toForm(type: StepTypeName, config: Record<string, unknown>): StepForm {
  const specs = FIELDS[type] ?? [];
  const known = new Set(specs.map((s) => s.name));
  if (type === "http") known.add("secret_headers");
  const fields: Record<string, string> = {};
  let query: QueryRows | undefined;
  for (const spec of specs) {
    const value = config[spec.name];
    if (spec.kind === "headers") continue;
    if (spec.kind === "query") {
      query = rowsOf(value);
      if (query) {
        fields[spec.name] = "";
        continue;
      }
    }
    if (value === undefined || value === null) fields[spec.name] = "";
    // A string in a JSON field is text that was not JSON yet (see `lenient`): it comes back as typed.
    else if (["json", "body", "query"].includes(spec.kind) && typeof value !== "string") {
      fields[spec.name] = pretty(value);
    } else fields[spec.name] = String(value);
  }
  if (type === "http" && !fields.method) fields.method = "POST";
  const headers: HeaderRow[] = [];
  if (type === "http") {
    for (const [name, value] of Object.entries((config.headers ?? {}) as Record<string, unknown>)) {
      headers.push({ name, value: String(value), secret: false, stored: false });
    }
    for (const [name, value] of Object.entries((config.secret_headers ?? {}) as Record<string, unknown>)) {
      headers.push({ name, value: String(value), secret: true, stored: value === SECRET_MASK });
    }
  }
  const extra = Object.fromEntries(Object.entries(config).filter(([k]) => !known.has(k)));
  return { fields, headers, ...(query ? { query } : {}), extra };
}

function parseJson(field: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FieldProblem(field, `This is not valid JSON: ${(error as Error).message}.`);
  }
}

/**
 * A form as its step's config; a `FieldProblem` names the first field that cannot be one. With
 * `lenient` (for showing the JSON box) nothing is refused: an empty field is left out, text that is
 * not JSON stays text, and a header row without a name is skipped.
 */
export function toConfig(type: StepTypeName, form: StepForm, lenient = false): Record<string, unknown> {
  const problem = (field: string, message: string) => {
    if (!lenient) throw new FieldProblem(field, message);
  };
  const json = (field: string, text: string) => {
    try {
      return parseJson(field, text);
    } catch (error) {
      if (lenient) return text;
      throw error;
    }
  };
  const config: Record<string, unknown> = { ...form.extra };
  for (const spec of FIELDS[type] ?? []) {
    if (spec.kind === "headers") continue;
    if (spec.kind === "query" && form.query) {
      const wrong = lenient ? undefined : queryProblem(form.query);
      if (wrong) throw new FieldProblem(`${spec.name}.${wrong.part}`, wrong.message);
      config[spec.name] = queryOf(form.query);
      continue;
    }
    const text = form.fields[spec.name] ?? "";
    if (!text.trim()) {
      if (!spec.optional) problem(spec.name, `${spec.label} is required.`);
      continue;
    }
    if (spec.kind === "json" || spec.kind === "query") config[spec.name] = json(spec.name, text);
    // A body that starts with `{{` is a template (text), not a JSON object.
    else if (spec.kind === "body") {
      config[spec.name] = /^\s*[[{]/.test(text) && !/^\s*\{\{/.test(text) ? json(spec.name, text) : text;
    } else config[spec.name] = text;
  }
  if (type === "http") {
    const headers: Record<string, string> = {};
    const secrets: Record<string, string> = {};
    const seen = new Set<string>();
    for (const row of form.headers) {
      const name = row.name.trim();
      if (!name && !row.value) continue;
      if (!name) {
        problem("headers", "A header with a value needs a name.");
        continue;
      }
      if (seen.has(name.toLowerCase())) problem("headers", `The header “${name}” is given twice.`);
      seen.add(name.toLowerCase());
      if (row.secret && !row.value) problem("headers", `Enter the secret value of “${name}”.`);
      (row.secret ? secrets : headers)[name] = row.value;
    }
    if (Object.keys(headers).length) config.headers = headers;
    if (Object.keys(secrets).length) config.secret_headers = secrets;
  }
  return config;
}

/** The same rule as the server's StepId (functions/workflows/definition.ts). */
const STEP_ID = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** What is wrong with step id `id` among `ids` (every step's id, this one included), or undefined. */
export function idProblem(id: string, ids: string[]): string | undefined {
  if (!id) return "Give the step an id.";
  if (!STEP_ID.test(id)) {
    return "A step id starts with a letter and holds only letters, digits, - and _ (at most 64).";
  }
  if (ids.filter((other) => other === id).length > 1) return `Another step has the id “${id}”.`;
  return undefined;
}

/** A fresh id for a new step of `type`: the type and the first free number. */
export function freshId(type: string, ids: string[]): string {
  for (let n = 1;; n++) if (!ids.includes(`${type}${n}`)) return `${type}${n}`;
}

/** Where a server refusal points: the step's index, its field (or "" for the step as a whole), and a sentence. */
export interface Refusal {
  index: number | null;
  field: string;
  text: string;
}

const REFUSAL = /^Invalid request: steps(?:\.(\d+)(?:\.([\w-]+)(?:\.([\w-]+))?)?)?(?:\.([^\s:]*))?: (.+)$/s;
/** The part of a query a refusal's path names: `limit`, or a row such as `filters.1`. */
const QUERY_PART = /^(?:limit|(?:dimensions|measures|filters|order_by)\.\d+)/;

/**
 * A server refusal of a save placed on its step and field, as a sentence without the JSON path:
 * `Invalid request: steps.1.config.expression: Step "b" (transform): expression: not valid …`
 * → step 1, field "expression", "Not valid ….". Secret headers are shown with the headers.
 */
export function placeRefusal(message: string): Refusal {
  const match = REFUSAL.exec(message);
  if (!match) return { index: null, field: "", text: asSentence(message.replace(/^Invalid request: /, "")) };
  const [, index, part, sub, deeper, rest] = match;
  const queryPart = sub === "query" ? QUERY_PART.exec(deeper ?? "")?.[0] : undefined;
  const field = part !== "config"
    ? (part === "id" ? "id" : "")
    : sub === "secret_headers"
    ? "headers"
    : queryPart
    ? `query.${queryPart}`
    : sub ?? "";
  // The message repeats the step and the path: `Step "b" (transform): expression.x: …`.
  const named = /^Step "[^"]*" \([a-z]+\): (?:[\w.-]+: )?/.exec(rest);
  const text = named ? rest.slice(named[0].length) : rest;
  return { index: index === undefined ? null : Number(index), field, text: asSentence(text) };
}

const QUERY_LABELS: Record<string, string> = {
  dimensions: "Group by column",
  measures: "Measure",
  filters: "Filter",
  order_by: "Sort",
};

/**
 * The words a step's form shows for `field` (a FieldSpec's name, or a part of a query such as
 * `query.filters.1` → "Filter 2"), or "" for one it does not show.
 */
export function fieldLabel(type: StepTypeName, field: string): string {
  const [name, part, row] = field.split(".");
  const label = FIELDS[type]?.find((f) => f.name === name)?.label ?? "";
  if (!label || part === undefined) return label;
  if (part === "limit") return "Limit";
  return QUERY_LABELS[part] && row !== undefined ? `${QUERY_LABELS[part]} ${Number(row) + 1}` : label;
}

/** A JSON config box's text as an object, or a sentence saying why it is not one. */
export function parseConfig(text: string): Record<string, unknown> | string {
  try {
    const value = JSON.parse(text || "{}");
    if (value && typeof value === "object" && !Array.isArray(value)) return value;
    return "The config must be a JSON object: { … }.";
  } catch (error) {
    return `This is not valid JSON: ${(error as Error).message}.`;
  }
}
