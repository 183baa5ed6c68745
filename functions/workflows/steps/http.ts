/**
 * http: one outgoing request through the outbound guard (lib/net/outbound.ts), as connectors make
 * them. `url`, header values and `body` may hold `{{ }}` templates. Secret header values live
 * sealed in the vault, never in the definition. Every attempt sends the same `Idempotency-Key`
 * (execution and step), so a retried step cannot double an effect at a receiver that honours it
 * (draft-ietf-httpapi-idempotency-key-header). A 4xx answer fails at once (the request itself is
 * wrong); 408, 429, 5xx and network failures are retried.
 */
import { z } from "zod";
import { ApiError } from "../../../lib/http/errors.ts";
import { allowListFor, guardedFetch } from "../../../lib/net/outbound.ts";
import { expressionIssues, renderTemplate, templateExpressions } from "./expressions.ts";
import { StepFailure, type StepType } from "./types.ts";

/** Stands for a sealed value in a saved definition; sent back unchanged, it keeps the value. */
export const SECRET_MASK = "********";
const MAX_RESPONSE_BYTES = 1024 * 1024;
const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, { error: "Not a valid header name" }).max(100);

const Config = z.object({
  method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]).default("POST"),
  url: z.string().trim().min(1).max(4000),
  headers: z.record(headerName, z.string().max(4000)).optional(),
  secret_headers: z.record(headerName, z.string().min(1).max(4000)).optional(),
  body: z.unknown().optional(),
  timeout_ms: z.number().int().min(100).max(120_000).default(30_000),
}).strict();
type Config = z.infer<typeof Config>;

/** Renders every string inside a JSON value as a template. */
async function renderValue(value: unknown, context: unknown): Promise<unknown> {
  if (typeof value === "string") return await renderTemplate(value, context);
  if (Array.isArray(value)) return await Promise.all(value.map((v) => renderValue(v, context)));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await renderValue(v, context);
    return out;
  }
  return value;
}

function stringsOf(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value && typeof value === "object") return Object.values(value).flatMap(stringsOf);
  return [];
}

const RETRYABLE_STATUS = new Set([408, 425, 429]);

export const httpStep: StepType<Config> = {
  config: Config,
  check(c) {
    const issues = expressionIssues([
      ["url", c.url, "template"],
      ...Object.entries(c.headers ?? {}).map(([k, v]) =>
        [`headers.${k}`, v, "template"] as [string, string, "template"]
      ),
      ...stringsOf(c.body).map((v) => ["body", v, "template"] as [string, string, "template"]),
    ]);
    if (templateExpressions(c.url).length === 0) {
      try {
        const url = new URL(c.url);
        if (url.protocol !== "http:" && url.protocol !== "https:") issues.push(["url", "must be an http or https URL"]);
      } catch {
        issues.push(["url", "not a URL"]);
      }
    }
    return issues;
  },
  async run({ deps, config, context, executionId, stepId, secrets, signal }) {
    const url = await renderTemplate(config.url, context);
    const headers = new Headers();
    for (const [name, value] of Object.entries(config.headers ?? {})) {
      headers.set(name, await renderTemplate(value, context));
    }
    for (const [name, value] of Object.entries(secrets)) headers.set(name, value);
    headers.set("idempotency-key", `${executionId}:${stepId}`);
    let body: string | undefined;
    if (config.body !== undefined && config.method !== "GET") {
      const rendered = await renderValue(config.body, context);
      body = typeof rendered === "string" ? rendered : JSON.stringify(rendered);
      if (!headers.has("content-type")) {
        headers.set("content-type", typeof rendered === "string" ? "text/plain" : "application/json");
      }
    }
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      throw new StepFailure(`The URL "${url.slice(0, 200)}" is not a URL`, false);
    }
    const fetcher = guardedFetch(
      allowListFor(deps.config),
      {
        timeoutMs: config.timeout_ms,
        maxBytes: MAX_RESPONSE_BYTES,
        maxBytesSource: "for a workflow's http step, a fixed limit",
        // Sealed headers are credentials whatever their names: never sent on to another origin.
        secretHeaders: Object.keys(secrets),
        secretValues: Object.values(secrets),
      },
      deps.fetch,
    );
    let response: Response;
    try {
      response = await fetcher(target, { method: config.method, headers, body, signal });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // An address the guard forbids stays forbidden; an unreachable or slow host may recover.
      const transient = !(error instanceof ApiError) || /^(Cannot reach|Cannot resolve)|did not answer/.test(message);
      throw new StepFailure(message, transient);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw new StepFailure(`Reading the answer from ${target.host} failed: ${(error as Error).message}`, true);
    }
    let parsed: unknown = text;
    if (/json/i.test(response.headers.get("content-type") ?? "")) {
      try {
        parsed = JSON.parse(text);
      } catch { /* keep the text */ }
    }
    if (!response.ok) {
      const retryable = response.status >= 500 || RETRYABLE_STATUS.has(response.status);
      throw new StepFailure(
        `${config.method} ${target.host}${target.pathname} answered HTTP ${response.status}: ${text.slice(0, 300)}`,
        retryable,
      );
    }
    return { status: response.status, headers: { "content-type": response.headers.get("content-type") }, body: parsed };
  },
};
