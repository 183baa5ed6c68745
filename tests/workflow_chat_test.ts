/**
 * Workflows and the model: chat starts a run with the run_workflow tool and reads its result; an
 * llm step fills its prompt, checks the answer against its JSON schema and counts its tokens.
 * The model is tests/support/fake_openai.ts, a local server speaking OpenAI's wire format.
 */
import { deepStrictEqual, equal, match } from "node:assert/strict";
import { sql } from "drizzle-orm";
import { rows } from "../db/rows.ts";
import { closeSharedAppsAfterAll, testEachBackend } from "./support/test_app.ts";
import { afterToolResult, lastUserText, startFakeOpenAI, toolResults } from "./support/fake_openai.ts";
import { ask, newChat } from "./support/chat_client.ts";
import { createWorkflow, waitForExecution } from "./support/workflows.ts";

const fake = startFakeOpenAI();
const ENV = { OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: "sk-operator-key-0123456789", LLM_MODEL: "fake-gpt" };

testEachBackend("chat runs a workflow with run_workflow and gets its result", async (t) => {
  const user = await t.signUp();
  const wf = await createWorkflow(t, user.cookie, {
    steps: [{ id: "sum", type: "transform", config: { expression: "$sum(trigger.payload.values)" } }],
  });
  fake.script((request) => {
    if (String(request.messages[0]?.content).includes("You name conversations")) return { text: "Sums" };
    if (!afterToolResult(request)) {
      return { toolCalls: [{ name: "run_workflow", arguments: { workflow_id: wf.id, input: { values: [1, 2, 3] } } }] };
    }
    const [result] = toolResults(request) as { status: string; result: number }[];
    return { text: `The workflow ${result.status} with ${result.result}.` };
  });
  const sessionId = await newChat(t, user.cookie);
  await ask(t, user.cookie, sessionId, "Run the sum workflow");
  const list = await t.call(`/api/workflows/${wf.id}/executions`, { cookie: user.cookie });
  const [execution] = (list.body as { items: { id: string; trigger: string; status: string }[] }).items;
  equal(execution.trigger, "chat");
  equal(execution.status, "succeeded");
  const chat = await t.call(`/api/chat/sessions/${sessionId}`, { cookie: user.cookie });
  match(chat.text, /The workflow succeeded with 6\./);
}, ENV);

testEachBackend(
  "an llm step fills its prompt, validates the answer against its schema and counts tokens",
  async (t) => {
    const user = await t.signUp();
    fake.script((request) => {
      const prompt = lastUserText(request);
      if (prompt.includes("bad")) return { text: '{"sentiment": 7}' };
      return { text: '```json\n{"sentiment": "positive"}\n```' };
    });
    const wf = await createWorkflow(t, user.cookie, {
      steps: [{
        id: "classify",
        type: "llm",
        config: {
          prompt: "Classify: {{ trigger.payload.text }}",
          schema: {
            type: "object",
            properties: { sentiment: { type: "string", enum: ["positive", "negative"] } },
            required: ["sentiment"],
          },
        },
      }],
    });
    const run = (text: string) =>
      t.call(`/api/workflows/${wf.id}/run`, { cookie: user.cookie, body: { input: { text } } });
    const good = await waitForExecution(
      t,
      user.cookie,
      ((await run("great")).body as { execution_id: string }).execution_id,
    );
    equal(good.status, "succeeded", JSON.stringify(good));
    deepStrictEqual(good.results, { sentiment: "positive" });
    match(lastUserText(fake.requests.at(-1)!), /Classify: great/);
    const bad = await waitForExecution(
      t,
      user.cookie,
      ((await run("bad")).body as { execution_id: string }).execution_id,
    );
    equal(bad.status, "failed");
    equal(bad.steps[0].attempts, 1, "a schema mismatch is not retried");
    match(bad.error!, /does not match the schema: sentiment/);
    const [usage] = await rows<{ requests: number }>(
      t.deps.db.orm,
      sql`select coalesce(sum(requests), 0)::int as requests from llm_usage_daily where user_id = ${user.user.id}::uuid`,
    );
    equal(Number(usage.requests), 2);
  },
  ENV,
);

closeSharedAppsAfterAll();
Deno.test({ name: "(stop the fake model)", sanitizeOps: false, sanitizeResources: false, fn: () => fake.close() });
