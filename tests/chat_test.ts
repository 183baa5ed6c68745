/**
 * Chat end to end: the app's real `ai` + `@ai-sdk/openai` client talks to a local server speaking
 * OpenAI's wire format; answers are read with the AI SDK's own client transport and stream reader.
 * Data questions run on vega-datasets' seattle-weather.csv, synced through a real CSV connector, and
 * the expected figures are computed here from the file itself.
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { closeSharedAppsAfterAll, TEST_SECRET, type TestApp, testEachBackend } from "./support/test_app.ts";
import { afterToolResult, lastUserText, type Script, startFakeOpenAI, toolResults } from "./support/fake_openai.ts";
import { ask, chatTransport, eventually, getChat, newChat, readAnswer, textOf } from "./support/chat_client.ts";
import { startSources, syncedWeatherConnector, vegaDataDir } from "./support/sources.ts";
import { rotateCredentials } from "../functions/rotate_credentials.ts";
import { openOverrides } from "../functions/llm_settings.ts";
import { loadConfig } from "../lib/config.ts";
import { vaultFor } from "../lib/crypto/vault.ts";
import { workspaceLlmSettings } from "../db/schema.ts";

const fake = startFakeOpenAI();
const sources = startSources();
const ENV = {
  OPENAI_BASE_URL: fake.url,
  OPENAI_API_KEY: "sk-operator-key-0123456789",
  LLM_MODEL: "fake-gpt",
  OUTBOUND_ALLOW_HOSTS: `127.0.0.1:${sources.port}`,
};

/** Each test's script; title requests (after a first exchange) get a fixed title. */
function script(fn: Script) {
  fake.script((request, index) => {
    const system = request.messages[0];
    if (system?.role === "system" && String(system.content).includes("You name conversations")) {
      return { text: "Seattle weather by type" };
    }
    return fn(request, index);
  });
}

const weatherRows = async () => {
  const lines = (await Deno.readTextFile(join(vegaDataDir(), "seattle-weather.csv"))).trim().split("\n");
  const header = lines[0].split(",");
  return lines.slice(1).map((line) => Object.fromEntries(line.split(",").map((v, i) => [header[i], v])));
};

const weatherConnector = (t: TestApp, cookie: string) => syncedWeatherConnector(t, cookie, sources);

testEachBackend("a question streams back token by token and both messages are stored, with usage", async (t) => {
  const { cookie } = await t.signUp();
  const sessionId = await newChat(t, cookie);
  let storedBeforeModel = false;
  script((request) => {
    storedBeforeModel = lastUserText(request) === "How warm was 2015?";
    return {
      text: "It was **warm**: the mean high was 17.4 °C.",
      usage: { prompt_tokens: 321, completion_tokens: 17 },
      chunkDelayMs: 2,
    };
  });
  let headers: Headers | undefined;
  const stream = await chatTransport(t, cookie, sessionId, (res) => headers = res.headers).sendMessages({
    chatId: sessionId,
    messages: [{ id: "m1", role: "user", parts: [{ type: "text", text: "How warm was 2015?" }] }],
    abortSignal: undefined,
    trigger: "submit-message",
    messageId: undefined,
  });
  const answer = await readAnswer(stream);
  equal(headers?.get("x-vercel-ai-ui-message-stream"), "v1");
  equal(answer.text, "It was **warm**: the mean high was 17.4 °C.");
  ok(answer.chunks.filter((c) => c.type === "text-delta").length >= 10, "the text arrives in many deltas");
  ok(storedBeforeModel);
  equal(fake.requests.at(-1)?.authorization, "Bearer sk-operator-key-0123456789");
  equal(fake.requests.at(-1)?.model, "fake-gpt");

  const chat = await eventually(async () => {
    const c = await getChat(t, cookie, sessionId);
    return c.session.title === "Seattle weather by type" && c;
  });
  deepStrictEqual(chat.messages.map((m) => [m.role, m.status, textOf(m)]), [
    ["user", "done", "How warm was 2015?"],
    ["assistant", "done", answer.text],
  ]);
  deepStrictEqual(chat.messages[1].usage, { input_tokens: 321, output_tokens: 17 });
  equal(chat.messages[1].id, answer.message?.id, "the streamed id is the stored id");
  equal(chat.streaming, false);

  // The list shows the most recently active chat first, under its generated title.
  const older = await newChat(t, cookie, { title: "Older" });
  await ask(t, cookie, sessionId, "And 2014?");
  const list = await t.call("/api/chat/sessions", { cookie });
  const titles = (list.body as { items: { id: string; title: string }[] }).items.map((s) => s.id);
  deepStrictEqual(titles.slice(0, 2), [sessionId, older]);
}, ENV);

testEachBackend("an answer is stored in full when the client goes away mid-stream", async (t) => {
  const { cookie } = await t.signUp();
  const sessionId = await newChat(t, cookie, { title: "Disconnect" });
  const text = "A long answer that keeps streaming after the browser has gone. ".repeat(4).trim();
  script(() => ({ text, chunkDelayMs: 10 }));
  const abort = new AbortController();
  const stream = await chatTransport(t, cookie, sessionId).sendMessages({
    chatId: sessionId,
    messages: [{ id: "m1", role: "user", parts: [{ type: "text", text: "Tell me a lot" }] }],
    abortSignal: abort.signal,
    trigger: "submit-message",
    messageId: undefined,
  });
  const reader = stream.getReader();
  for (let seen = 0; seen < 3;) if ((await reader.read()).value?.type === "text-delta") seen++;
  abort.abort();
  await reader.cancel().catch(() => {});

  const chat = await eventually(async () => {
    const c = await getChat(t, cookie, sessionId);
    return c.messages.length === 2 && c;
  }, 10_000);
  equal(chat.messages[1].status, "done");
  equal(textOf(chat.messages[1]), text);
}, ENV);

testEachBackend("tools query real data and make a chart the API serves as SVG and CSV", async (t) => {
  const { cookie } = await t.signUp();
  const connectorId = await weatherConnector(t, cookie);
  const sessionId = await newChat(t, cookie, { title: "Weather" });
  const byType = new Map<string, number>();
  for (const row of await weatherRows()) byType.set(row.weather, (byType.get(row.weather) ?? 0) + 1);
  const query = { dimensions: ["weather"], measures: [{ fn: "count", as: "days" }], order_by: [{ column: "weather" }] };

  script((request) => {
    const results = toolResults(request);
    if (!afterToolResult(request)) return { toolCalls: [{ name: "list_datasets", arguments: {} }] };
    if (results.length === 1) {
      return {
        toolCalls: [{
          name: "query_dataset",
          arguments: { connector_id: connectorId, dataset: "seattle-weather", query },
        }],
      };
    }
    if (results.length === 2) {
      return {
        toolCalls: [{
          name: "create_chart",
          arguments: {
            name: "Days by weather",
            connector_id: connectorId,
            dataset: "seattle-weather",
            query,
            chart: { mark: "bar", x: "weather", y: "days" },
          },
        }],
      };
    }
    return { text: "Rain and sun dominate; see the chart." };
  });
  const answer = await ask(t, cookie, sessionId, "How many days of each weather?");
  equal(answer.text, "Rain and sun dominate; see the chart.");

  // What the model was told came from the file: the dataset's listing, then the counts.
  const last = fake.requests.at(-1)!;
  const [listing, counted, chart] = toolResults(last) as [
    { connectors: { connector_id: string; datasets: { name: string; row_count: number }[] }[] },
    { rows: [string, number][] },
    { artifact_id: string; version: number; type: string },
  ];
  deepStrictEqual(listing.connectors[0].datasets.map((d) => [d.name, d.row_count]), [["seattle-weather", 1461]]);
  deepStrictEqual(counted.rows, [...byType].sort(([a], [b]) => a.localeCompare(b)));
  equal(chart.type, "chart");

  // The tool calls and results are stored with the answer, and shown by the API.
  const chat = await getChat(t, cookie, sessionId);
  const toolParts = chat.messages[1].parts.filter((p) => p.type.startsWith("tool-"));
  deepStrictEqual(toolParts.map((p) => [p.type, p.state]), [
    ["tool-list_datasets", "output-available"],
    ["tool-query_dataset", "output-available"],
    ["tool-create_chart", "output-available"],
  ]);

  const listed = await t.call(`/api/artifacts?session_id=${sessionId}`, { cookie });
  const [artifact] =
    (listed.body as { items: { id: string; type: string; version: number; data: { rows: unknown[][] } }[] })
      .items;
  deepStrictEqual([artifact.id, artifact.type, artifact.version], [chart.artifact_id, "chart", 1]);
  deepStrictEqual(artifact.data.rows, counted.rows);
  const svg = await t.call(`/api/artifacts/${artifact.id}/chart.svg`, { cookie });
  equal(svg.status, 200);
  match(svg.headers.get("content-type") ?? "", /image\/svg\+xml/);
  match(svg.text, /^<svg[^>]*>/);
  for (const weather of byType.keys()) match(svg.text, new RegExp(`>${weather}<`));
  const csv = await t.call(`/api/artifacts/${artifact.id}/download?format=csv`, { cookie });
  match(csv.headers.get("content-disposition") ?? "", /attachment; filename="Days-by-weather-v1.csv"/);
  equal(csv.text.split("\r\n")[0], "weather,days");
  equal(csv.text.split("\r\n").length, byType.size + 1);
}, ENV);

testEachBackend("a revision makes a new version and keeps the old one readable", async (t) => {
  const { cookie } = await t.signUp();
  const sessionId = await newChat(t, cookie, { title: "Docs" });
  script((request) =>
    afterToolResult(request)
      ? { text: "Done." }
      : { toolCalls: [{ name: "create_document", arguments: { name: "Findings", markdown: "# Findings\n\nDraft." } }] }
  );
  await ask(t, cookie, sessionId, "Write up the findings");
  const listed = await t.call(`/api/artifacts?session_id=${sessionId}`, { cookie });
  const [doc] = (listed.body as { items: { id: string }[] }).items;

  script((request) => {
    const results = toolResults(request);
    if (!afterToolResult(request)) {
      return { toolCalls: [{ name: "read_artifact", arguments: { artifact_id: doc.id } }] };
    }
    if (results.length === 1) {
      const current = results[0] as { markdown: string };
      return {
        toolCalls: [{
          name: "update_artifact",
          arguments: { artifact_id: doc.id, markdown: current.markdown.replace("Draft.", "Final: rain on 641 days.") },
        }],
      };
    }
    return { text: "Revised." };
  });
  await ask(t, cookie, sessionId, "Finish it");
  const latest = await t.call(`/api/artifacts/${doc.id}`, { cookie });
  deepStrictEqual([(latest.body as { version: number }).version, (latest.body as { data: unknown }).data], [2, {
    markdown: "# Findings\n\nFinal: rain on 641 days.",
  }]);
  const first = await t.call(`/api/artifacts/${doc.id}?version=1`, { cookie });
  deepStrictEqual((first.body as { data: unknown }).data, { markdown: "# Findings\n\nDraft." });
  const versions = await t.call(`/api/artifacts/${doc.id}/versions`, { cookie });
  deepStrictEqual((versions.body as { items: { version: number }[] }).items.map((v) => v.version), [2, 1]);
  const md = await t.call(`/api/artifacts/${doc.id}/download?format=md&version=1`, { cookie });
  equal(md.text, "# Findings\n\nDraft.");
}, ENV);

testEachBackend("a tool call on another workspace's dataset is refused and reveals nothing", async (t) => {
  const owner = await t.signUp();
  const othersConnector = await weatherConnector(t, owner.cookie);
  const intruder = await t.signUp();
  const sessionId = await newChat(t, intruder.cookie, { title: "Snooping" });
  script((request) =>
    afterToolResult(request) ? { text: "I could not read it." } : {
      toolCalls: [{
        name: "query_dataset",
        arguments: { connector_id: othersConnector, dataset: "seattle-weather", query: { limit: 5 } },
      }],
    }
  );
  await ask(t, intruder.cookie, sessionId, "Show me their weather");
  const toolMessage = fake.requests.at(-1)!.messages.find((m) => m.role === "tool")!;
  match(String(toolMessage.content), /Connector not found/);
  ok(!/2012-01-01|drizzle|sun/.test(String(toolMessage.content)), "no rows reached the model");
  const chat = await getChat(t, intruder.cookie, sessionId);
  const part = chat.messages[1].parts.find((p) => p.type === "tool-query_dataset")!;
  deepStrictEqual([part.state, part.errorText], ["output-error", "Connector not found"]);
  // Nor can the intruder open the owner's chats or artifacts.
  const ownersChat = await newChat(t, owner.cookie);
  equal((await t.call(`/api/chat/sessions/${ownersChat}`, { cookie: intruder.cookie })).status, 404);
  equal(
    (await t.call(`/api/chat/sessions/${ownersChat}/messages`, { cookie: intruder.cookie, body: { content: "hi" } }))
      .status,
    404,
  );
}, ENV);

testEachBackend("a viewer of a workspace reads its chats but cannot ask in them", async (t) => {
  const owner = await t.signUp();
  const viewer = await t.signUp();
  await t.deps.db.orm.execute(
    sql`insert into memberships (workspace_id, user_id, role) values (${owner.workspace.id}, ${viewer.user.id}, 'viewer')`,
  );
  const sessionId = await newChat(t, owner.cookie, { title: "Team chat" });
  script(() => ({ text: "Shared answer." }));
  await ask(t, owner.cookie, sessionId, "Team question");
  const seen = await getChat(t, viewer.cookie, sessionId);
  deepStrictEqual(seen.messages.map(textOf), ["Team question", "Shared answer."]);
  const refused = await t.call(`/api/chat/sessions/${sessionId}/messages`, {
    cookie: viewer.cookie,
    body: { content: "Can I?" },
  });
  equal(refused.status, 403, refused.text);
  equal((await getChat(t, owner.cookie, sessionId)).messages.length, 2);
}, ENV);

testEachBackend("upstream errors, timeouts and broken streams end in a clear, retryable error", async (t) => {
  const { cookie } = await t.signUp();
  const sessionId = await newChat(t, cookie, { title: "Errors" });

  script(() => ({ status: 400, errorMessage: "This model's maximum context length is 8192 tokens" }));
  const refused = await ask(t, cookie, sessionId, "First question");
  const errorChunk = refused.chunks.find((c) => c.type === "error") as { errorText: string } | undefined;
  match(errorChunk?.errorText ?? "", /The model endpoint failed \(HTTP 400\): This model's maximum context length/);
  // Stored by the time the stream ends.
  let chat = await getChat(t, cookie, sessionId);
  deepStrictEqual([chat.messages[1].status, chat.messages[1].error], ["error", errorChunk?.errorText]);

  // Retry answers the same question again; the failed answer gives way.
  script(() => ({ text: "Now it works." }));
  const retried = await t.fetch(
    new Request(`http://localhost/api/chat/sessions/${sessionId}/messages`, {
      method: "POST",
      headers: { cookie, origin: "http://localhost", "content-type": "application/json" },
      body: JSON.stringify({ retry: true }),
    }),
    { remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 } },
  );
  equal(retried.status, 200);
  await retried.text();
  equal(lastUserText(fake.requests.at(-1)!), "First question");
  chat = await getChat(t, cookie, sessionId);
  deepStrictEqual(chat.messages.map((m) => [m.role, m.status, textOf(m)]), [
    ["user", "done", "First question"],
    ["assistant", "done", "Now it works."],
  ]);

  // A transient 500 is retried once and the answer arrives.
  let calls = 0;
  script(() => ++calls === 1 ? { status: 500, errorMessage: "overloaded" } : { text: "After a retry." });
  equal((await ask(t, cookie, sessionId, "Again")).text, "After a retry.");

  // A stream that breaks off keeps what arrived and says what happened.
  script(() => ({ text: "Partial answer that never ends", pieceSize: 8, breakAfterChunks: 2, chunkDelayMs: 5 }));
  const broken = await ask(t, cookie, sessionId, "Break");
  equal(broken.text, "Partial answer t");
  match((broken.chunks.find((c) => c.type === "error") as { errorText: string }).errorText, /broke off/);
  chat = await getChat(t, cookie, sessionId);
  equal(chat.messages.at(-1)?.status, "error");
  equal(textOf(chat.messages.at(-1)!), "Partial answer t");
}, ENV);

testEachBackend("a model that stops sending times out with a message that says so", async (t) => {
  const { cookie } = await t.signUp();
  const sessionId = await newChat(t, cookie, { title: "Slow" });
  script(() => ({ text: "Never finishes", hangAfterChunks: 1 }));
  const answer = await ask(t, cookie, sessionId, "Slow one");
  match(
    (answer.chunks.find((c) => c.type === "error") as { errorText: string }).errorText,
    /did not answer within 0 s|within 1 s/,
  );
  const chat = await getChat(t, cookie, sessionId);
  equal(chat.messages[1].status, "error");
}, { ...ENV, LLM_TIMEOUT_MS: "400" });

testEachBackend("a reload replays the answer in progress from its start and follows it to the end", async (t) => {
  const { cookie } = await t.signUp();
  const sessionId = await newChat(t, cookie, { title: "Resume" });
  const text = "Streaming slowly so that a second reader can join halfway through.";
  script(() => ({ text, chunkDelayMs: 25 }));
  const first = ask(t, cookie, sessionId, "Go slowly");
  await eventually(async () => (await getChat(t, cookie, sessionId)).streaming);
  await new Promise((r) => setTimeout(r, 150));
  const resumed = await chatTransport(t, cookie, sessionId).reconnectToStream({ chatId: sessionId });
  ok(resumed, "an answer is in progress");
  const replay = await readAnswer(resumed!);
  equal(replay.text, text);
  equal(replay.message?.id, (await first).message?.id);
  // Once it is stored there is nothing to resume.
  equal(await chatTransport(t, cookie, sessionId).reconnectToStream({ chatId: sessionId }), null);
}, ENV);

testEachBackend("stop ends the answer and keeps what was written", async (t) => {
  const { cookie } = await t.signUp();
  const sessionId = await newChat(t, cookie, { title: "Stop" });
  script(() => ({ text: "word ".repeat(200), pieceSize: 5, chunkDelayMs: 10 }));
  const stream = await chatTransport(t, cookie, sessionId).sendMessages({
    chatId: sessionId,
    messages: [{ id: "m1", role: "user", parts: [{ type: "text", text: "Talk forever" }] }],
    abortSignal: undefined,
    trigger: "submit-message",
    messageId: undefined,
  });
  // Stop once some words have arrived, as someone watching the answer would.
  const [head, rest] = stream.tee();
  const reader = head.getReader();
  for (let words = 0; words < 3;) if ((await reader.read()).value?.type === "text-delta") words++;
  reader.releaseLock();
  const stopped = await t.call(`/api/chat/sessions/${sessionId}/stop`, { method: "POST", cookie });
  deepStrictEqual(stopped.body, { stopped: true });
  const streamed = await readAnswer(rest);
  ok(streamed.chunks.some((c) => c.type === "abort"));
  const chat = await getChat(t, cookie, sessionId);
  equal(chat.messages[1].status, "stopped");
  const kept = textOf(chat.messages[1]);
  ok(kept.length > 0 && kept.length < 1000, `kept ${kept.length} characters`);
  deepStrictEqual((await t.call(`/api/chat/sessions/${sessionId}/stop`, { method: "POST", cookie })).body, {
    stopped: false,
  });
}, ENV);

testEachBackend("a second question while one is answered is a 409, and a cut-off answer is kept", async (t) => {
  const { cookie } = await t.signUp();
  const sessionId = await newChat(t, cookie, { title: "Busy" });
  script(() => ({ text: "slow ".repeat(40), chunkDelayMs: 10 }));
  const first = ask(t, cookie, sessionId, "One");
  await eventually(async () => (await getChat(t, cookie, sessionId)).streaming);
  const second = await t.call(`/api/chat/sessions/${sessionId}/messages`, { cookie, body: { content: "Two" } });
  equal(second.status, 409, second.text);
  await first;

  // A writer that died (no heartbeat for a while) leaves an answer marked as cut off, not a hole.
  const { asSystem } = await import("../db/rls.ts");
  const { chatStreams, chatStreamChunks } = await import("../db/schema.ts");
  const messageId = crypto.randomUUID();
  const workspaceId = (await getChat(t, cookie, sessionId)).session.workspace_id;
  await asSystem(t.deps.db, async (tx) => {
    const [stream] = await tx.insert(chatStreams).values({
      workspaceId,
      sessionId,
      messageId,
      heartbeatAt: new Date(Date.now() - 60_000),
    }).returning();
    await tx.insert(chatStreamChunks).values({
      streamId: stream.id,
      seq: 1,
      workspaceId: stream.workspaceId,
      chunks: [
        { type: "start", messageId },
        { type: "text-start", id: "t" },
        { type: "text-delta", id: "t", delta: "Half an ans" },
      ].map((c) => JSON.stringify(c)).join("\n"),
    });
  });
  const chat = await getChat(t, cookie, sessionId);
  const cut = chat.messages.at(-1)!;
  deepStrictEqual([cut.id, cut.status, textOf(cut)], [messageId, "error", "Half an ans"]);
  match(cut.error ?? "", /cut off/);
  equal(chat.streaming, false);
}, ENV);

testEachBackend("the rate limit and the daily token budget answer 429 and store nothing", async (t) => {
  const { cookie } = await t.signUp();
  const sessionId = await newChat(t, cookie, { title: "Limits" });
  script(() => ({ text: "ok", usage: { prompt_tokens: 60, completion_tokens: 50 } }));
  await ask(t, cookie, sessionId, "one");
  // 110 tokens used of a 100-token budget: the next one is refused until midnight UTC.
  const over = await t.call(`/api/chat/sessions/${sessionId}/messages`, { cookie, body: { content: "two" } });
  equal(over.status, 429, over.text);
  match((over.body as { error: { message: string } }).error.message, /today's budget of 100 tokens/);
  ok(Number(over.headers.get("retry-after")) > 0);
  equal((await getChat(t, cookie, sessionId)).messages.length, 2);
}, { ...ENV, CHAT_DAILY_TOKEN_BUDGET: "100" });

testEachBackend("the per-minute request limit answers 429 with Retry-After", async (t) => {
  const { cookie } = await t.signUp();
  const sessionId = await newChat(t, cookie, { title: "Rate" });
  script(() => ({ text: "ok" }));
  await ask(t, cookie, sessionId, "one");
  await ask(t, cookie, sessionId, "two");
  const third = await t.call(`/api/chat/sessions/${sessionId}/messages`, { cookie, body: { content: "three" } });
  equal(third.status, 429);
  match((third.body as { error: { message: string } }).error.message, /at most 2 a minute/);
  ok(Number(third.headers.get("retry-after")) >= 1);
  equal((await getChat(t, cookie, sessionId)).messages.length, 4);
}, { ...ENV, CHAT_REQUESTS_PER_MINUTE: "2" });

testEachBackend("without a model, chat says how to configure one and the rest works", async (t) => {
  const { cookie } = await t.signUp();
  const sessionId = await newChat(t, cookie);
  const res = await t.call(`/api/chat/sessions/${sessionId}/messages`, { cookie, body: { content: "hello" } });
  equal(res.status, 503);
  equal((res.body as { error: { code: string } }).error.code, "llm_not_configured");
  match((res.body as { error: { message: string } }).error.message, /OPENAI_API_KEY.*Settings/);
  equal((await getChat(t, cookie, sessionId)).messages.length, 0, "the question is not kept either");
  equal((await t.call("/api/connectors", { cookie })).status, 200);
  const page = await t.call("/chat", { cookie });
  equal(page.status, 200);
  match(page.text, /No language model is configured\./);
}, {});

testEachBackend("a workspace's own model, endpoint and key are used, the key never shown", async (t) => {
  const { cookie } = await t.signUp();
  const refused = await t.call("/api/settings/llm", {
    method: "PUT",
    cookie,
    body: { base_url: "http://10.0.0.5/v1" },
  });
  equal(refused.status, 422, refused.text);
  const key = "sk-workspace-key-abcdef";
  const saved = await t.call("/api/settings/llm", {
    method: "PUT",
    cookie,
    body: { base_url: fake.url, model: "workspace-model", api_key: key },
  });
  equal(saved.status, 200, saved.text);
  ok(!saved.text.includes(key));
  deepStrictEqual((saved.body as { effective: unknown }).effective, {
    base_url: fake.url,
    model: "workspace-model",
    source: "workspace",
  });
  equal((saved.body as { has_api_key: boolean }).has_api_key, true);
  const sessionId = await newChat(t, cookie, { title: "Own model" });
  script(() => ({ text: "From the workspace's model." }));
  await ask(t, cookie, sessionId, "Which model?");
  deepStrictEqual([fake.requests.at(-1)?.model, fake.requests.at(-1)?.authorization], [
    "workspace-model",
    `Bearer ${key}`,
  ]);
  equal((await t.call("/api/settings/llm", { method: "DELETE", cookie })).status, 204);
  await ask(t, cookie, sessionId, "And now?");
  equal(fake.requests.at(-1)?.model, "fake-gpt");

  // The same through the Settings page's form: a blank key keeps the stored one.
  const form = (fields: Record<string, string>) => ({
    method: "POST",
    cookie,
    body: new URLSearchParams(fields).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  const bad = await t.call("/settings", form({ action: "llm_save", base_url: "not a url", model: "", api_key: "" }));
  equal(bad.status, 400);
  // A sentence naming the field by its label (no JSON path), and what was typed is still in the box.
  match(bad.text, /Base URL: (&quot;|")not a url(&quot;|") is not a URL\./);
  match(bad.text, /name="base_url" value="not a url"/);
  const saved2 = await t.call(
    "/settings",
    form({ action: "llm_save", base_url: fake.url, model: "form-model", api_key: key }),
  );
  equal(saved2.status, 303, saved2.text);
  await t.call("/settings", form({ action: "llm_save", base_url: fake.url, model: "form-model-2", api_key: "" }));
  const page = await t.call("/settings", { cookie });
  match(page.text, /Chats use <code>form-model-2<\/code>/);
  ok(!page.text.includes(key), "the key is not on the page");
  await ask(t, cookie, sessionId, "Via the form?");
  equal(fake.requests.at(-1)?.authorization, `Bearer ${key}`);

  // Key rotation re-seals the model key too, and it still opens under the new secret.
  const rotated = await loadConfig({
    APP_SECRET: "a-brand-new-secret-0123456789-0123456789",
    APP_SECRET_PREVIOUS: TEST_SECRET,
    DATA_DIR: "/nonexistent",
  });
  ok(await rotateCredentials(rotated, t.deps.db) >= 1);
  const [row] = await t.deps.db.orm.select().from(workspaceLlmSettings);
  equal(row.apiKeyKeyId, await vaultFor(rotated).currentKeyId);
  ok(!new TextDecoder().decode(row.apiKeyCiphertext!).includes(key), "the column holds no plaintext");
  equal((await openOverrides({ ...t.deps, config: rotated }, row))?.apiKey, key);
  ok(!t.logs.some((l) => l.includes(key)), "the key is not logged");
}, { ...ENV, OUTBOUND_ALLOW_HOSTS: `127.0.0.1:${sources.port},127.0.0.1:${fake.port}` });

testEachBackend("a long session pages back through its messages", async (t) => {
  const { cookie } = await t.signUp();
  const sessionId = await newChat(t, cookie, { title: "Long" });
  script((request) => ({ text: `echo ${lastUserText(request)}` }));
  for (let i = 0; i < 6; i++) await ask(t, cookie, sessionId, `q${i}`);
  const newest = await getChat(t, cookie, sessionId, "?limit=5");
  deepStrictEqual(newest.messages.map(textOf), ["echo q3", "q4", "echo q4", "q5", "echo q5"]);
  ok(newest.next_cursor);
  const older = await getChat(t, cookie, sessionId, `?limit=5&before=${newest.next_cursor}`);
  deepStrictEqual(older.messages.map(textOf), ["echo q0", "q1", "echo q1", "q2", "echo q2", "q3"].slice(1));
  const rename = await t.call(`/api/chat/sessions/${sessionId}`, {
    method: "PATCH",
    cookie,
    body: { title: "Renamed" },
  });
  equal((rename.body as { title: string }).title, "Renamed");
  equal((await t.call(`/api/chat/sessions/${sessionId}`, { method: "DELETE", cookie })).status, 204);
  equal((await t.call(`/api/chat/sessions/${sessionId}`, { cookie })).status, 404);
}, ENV);

closeSharedAppsAfterAll();
