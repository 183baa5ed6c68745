/**
 * llm: a prompt template sent to the workspace's model (lib/llm/, as chat uses it). With `schema`
 * (a JSON Schema), the model is asked for JSON and its answer is parsed and validated against it;
 * an answer that does not match fails at once. Tokens are added to the workflow owner's daily
 * budget (CHAT_DAILY_TOKEN_BUDGET), and a spent budget stops the step.
 */
import { generateText } from "ai";
import { z } from "zod";
import { asSystem, asUser } from "../../../db/rls.ts";
import { addUsage, admissionCounts, utcDay } from "../../../db/queries/llm_usage.ts";
import { languageModel } from "../../../lib/llm/model.ts";
import { allowListFor } from "../../../lib/net/outbound.ts";
import { effectiveModel } from "../../llm_settings.ts";
import { expressionIssues, renderTemplate } from "./expressions.ts";
import { StepFailure, type StepType } from "./types.ts";

const Config = z.object({
  prompt: z.string().trim().min(1).max(50_000),
  schema: z.record(z.string(), z.unknown()).optional(),
}).strict();

function schemaOf(json: Record<string, unknown>): z.ZodType {
  return z.fromJSONSchema(json as Parameters<typeof z.fromJSONSchema>[0]);
}

/** The JSON inside an answer: the whole text, or its first fenced block. */
function jsonIn(text: string): unknown {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(text);
  return JSON.parse((fenced ? fenced[1] : text).trim());
}

export const llmStep: StepType<z.infer<typeof Config>> = {
  config: Config,
  check(c) {
    const issues = expressionIssues([["prompt", c.prompt, "template"]]);
    if (c.schema) {
      try {
        schemaOf(c.schema);
      } catch (error) {
        issues.push(["schema", `not a JSON Schema this server can check: ${(error as Error).message}`]);
      }
    }
    return issues;
  },
  async run({ deps, config, context, userId, workspaceId, signal }) {
    const settings = await asUser(deps.db, userId, (tx) => effectiveModel(deps, tx, workspaceId));
    if (!settings) throw new StepFailure("No language model is configured: add one in Settings", false);
    const budget = deps.config.chat.dailyTokenBudget;
    const day = utcDay(deps.now());
    if (budget > 0) {
      const { used } = await asSystem(
        deps.db,
        (tx) => admissionCounts(tx, { userId, bucket: `workflow:${userId}`, since: deps.now(), day }),
      );
      if (used >= budget) {
        throw new StepFailure(`Today's budget of ${budget} tokens is spent; it renews at 00:00 UTC`, false);
      }
    }
    let prompt = await renderTemplate(config.prompt, context);
    if (config.schema) {
      prompt += `\n\nAnswer with JSON only, matching this JSON Schema:\n${JSON.stringify(config.schema)}`;
    }
    const result = await generateText({
      model: languageModel(settings, { fetch: deps.fetch, allow: allowListFor(deps.config) }),
      prompt,
      abortSignal: signal,
      maxRetries: 0,
    });
    const usage = { inputTokens: result.usage.inputTokens ?? 0, outputTokens: result.usage.outputTokens ?? 0 };
    await asSystem(deps.db, (tx) => addUsage(tx, userId, day, { ...usage, requests: 1 }));
    if (!config.schema) return { text: result.text, usage };
    let parsed: unknown;
    try {
      parsed = jsonIn(result.text);
    } catch {
      throw new StepFailure(`The model's answer is not JSON: ${result.text.slice(0, 200)}`, false);
    }
    const checked = schemaOf(config.schema).safeParse(parsed);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new StepFailure(
        `The model's answer does not match the schema: ${issue.path.join(".")}: ${issue.message}`,
        false,
      );
    }
    return checked.data;
  },
};
