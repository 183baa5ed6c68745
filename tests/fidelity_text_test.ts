/**
 * Text and names that break naive code (issue 9): NUL and lone surrogates from the model, the user
 * and a CSV file; spreadsheet formulas in downloaded CSV; column names with dots, quotes, SQL
 * keywords and 300 characters, charted and filtered. The model is a local fake speaking OpenAI's
 * wire format; everything else is the real app on each backend.
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import Papa from "papaparse";
import { sql } from "drizzle-orm";
import { closeSharedAppsAfterAll, testEachBackend } from "./support/test_app.ts";
import { afterToolResult, lastUserText, startFakeOpenAI, toolResults } from "./support/fake_openai.ts";
import { ask, getChat, newChat } from "./support/chat_client.ts";
import { datasetColumns, queryOk, uploadCsv } from "./support/datasets.ts";

const fake = startFakeOpenAI();
const ENV = { OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: "sk-test-0123456789", LLM_MODEL: "fake-gpt" };
const CASES = join(import.meta.dirname!, "fixtures", "data-fidelity");
const NUL = "\u0000";
const LONE = "\uD800";

testEachBackend("a model answer with NUL is stored without it and the chat keeps working", async (t) => {
  const { cookie } = await t.signUp();
  const sessionId = await newChat(t, cookie, { title: "NUL" });
  fake.script((request) =>
    lastUserText(request) === "first"
      ? { text: `before${NUL}after ${LONE}end`, pieceSize: 3 }
      : { text: "second answer" }
  );
  await ask(t, cookie, sessionId, "first");
  const chat = await getChat(t, cookie, sessionId);
  const answer = chat.messages.at(-1)!;
  deepStrictEqual([answer.role, answer.status, answer.parts.find((p) => p.type === "text")?.text], [
    "assistant",
    "done",
    "beforeafter \uFFFDend",
  ]);
  const next = await ask(t, cookie, sessionId, "second");
  equal(next.text, "second answer");
  const after = await getChat(t, cookie, sessionId);
  deepStrictEqual(after.messages.map((m) => [m.role, m.status]), [
    ["user", "done"],
    ["assistant", "done"],
    ["user", "done"],
    ["assistant", "done"],
  ]);
}, ENV);

testEachBackend(
  "a user message, a chat title and a tool call with NUL or a lone surrogate are stored cleaned",
  async (t) => {
    const { cookie } = await t.signUp();
    const created = await t.call("/api/chat/sessions", { body: { title: `Q${NUL}4 ${LONE}` }, cookie });
    equal(created.status, 201, created.text);
    const sessionId = (created.body as { id: string }).id;
    fake.script((request) =>
      afterToolResult(request) ? { text: "Written." } : {
        toolCalls: [{ name: "create_document", arguments: { name: `Notes${NUL}`, markdown: `# A${NUL}B ${LONE}` } }],
      }
    );
    const answer = await ask(t, cookie, sessionId, `revenue${NUL} by ${LONE}region`);
    equal(answer.text, "Written.");
    const chat = await getChat(t, cookie, sessionId);
    equal(chat.session.title, "Q4 \uFFFD");
    equal(chat.messages[0].parts[0].text, "revenue by \uFFFDregion");
    // The model was sent the cleaned question too.
    equal(lastUserText(fake.requests.at(-1)!), "revenue by \uFFFDregion");
    const artifacts = await t.call(`/api/artifacts?session_id=${sessionId}`, { cookie });
    const [doc] = (artifacts.body as { items: { name: string; data: { markdown: string } }[] }).items;
    deepStrictEqual([doc.name, doc.data.markdown], ["Notes", "# AB \uFFFD"]);
    // Any other resource's JSON body too: cleaned by the API's validation, never a 500.
    const connector = await t.call("/api/connectors", {
      body: { name: `Sales${NUL} ${LONE}`, type: "csv", config: {} },
      cookie,
    });
    equal(connector.status, 201, connector.text);
    equal((connector.body as { name: string }).name, "Sales \uFFFD");
  },
  ENV,
);

testEachBackend("an answer the database refuses still ends as a stored, retryable error", async (t) => {
  const { cookie } = await t.signUp();
  const sessionId = await newChat(t, cookie, { title: "Refused" });
  // The database itself refuses answers holding this word, as it would any value it cannot store.
  await t.database.db.orm.execute(
    sql.raw(`alter table chat_messages add constraint refuse_poison check (parts::text not like '%POISON%')`),
  );
  try {
    fake.script(() => ({ text: "POISON answer" }));
    await ask(t, cookie, sessionId, "first");
    const failed = (await getChat(t, cookie, sessionId)).messages;
    deepStrictEqual(failed.map((m) => [m.role, m.status]), [["user", "done"], ["assistant", "error"]]);
    match(failed[1].error ?? "", /could not be saved/);
  } finally {
    await t.database.db.orm.execute(sql.raw(`alter table chat_messages drop constraint refuse_poison`));
  }
  fake.script(() => ({ text: "a storable answer" }));
  const retry = await t.call(`/api/chat/sessions/${sessionId}/messages`, { body: { retry: true }, cookie });
  equal(retry.status, 200, retry.text);
  const after = (await getChat(t, cookie, sessionId)).messages;
  deepStrictEqual(after.map((m) => [m.role, m.status]), [["user", "done"], ["assistant", "done"]]);
  equal(after[1].parts.find((p) => p.type === "text")?.text, "a storable answer");
}, ENV);

testEachBackend("CSV cells with NUL and lone surrogates sync, cleaned, and the sync says so", async (t) => {
  const { cookie } = await t.signUp();
  const { connectorId, sync } = await uploadCsv(t, cookie, "dirty", `id,note\n1,a${NUL}b\n2,c${LONE}d\n3,plain\n`);
  equal(sync.status, "succeeded", sync.error ?? "");
  const warnings = (sync as { warnings?: { code: string; count?: number; message: string }[] }).warnings ?? [];
  const cleaned = warnings.find((w) => w.code === "text_cleaned");
  // The upload's UTF-8 already carries the lone surrogate as U+FFFD; the NUL is what the sync dropped.
  equal(cleaned?.count, 1, JSON.stringify(warnings));
  match(cleaned!.message, /^1 text value held a NUL character/);
  const result = await queryOk(t, cookie, connectorId, "dirty", { order_by: [{ column: "id" }] });
  deepStrictEqual(result.rows, [[1, "ab"], [2, "c\uFFFDd"], [3, "plain"]]);
});

testEachBackend("a CSV header with NUL bytes syncs with the names cleaned, never a database error", async (t) => {
  const { cookie } = await t.signUp();
  // What a binary file uploaded as a CSV looks like to the parser.
  const { connectorId, sync } = await uploadCsv(t, cookie, "binary", `i${NUL}d,${NUL}${NUL}note\n1,a\n`);
  equal(sync.status, "succeeded", sync.error ?? "");
  const result = await queryOk(t, cookie, connectorId, "binary", {});
  deepStrictEqual(result.columns.map((c: { name: string }) => c.name), ["id", "note"]);
  deepStrictEqual(result.rows, [[1, "a"]]);
});

/** Asks the fake model to chart `query` of `connectorId`'s `dataset`, and returns the artifact id. */
async function chartThroughChat(
  t: Parameters<Parameters<typeof testEachBackend>[1]>[0],
  cookie: string,
  args: { connectorId: string; dataset: string; query: unknown; chart: unknown; type?: string },
): Promise<string> {
  const sessionId = await newChat(t, cookie, { title: "Chart" });
  fake.script((request) =>
    afterToolResult(request) ? { text: "Here it is." } : {
      toolCalls: [{
        name: args.type === "table" ? "create_table" : "create_chart",
        arguments: {
          name: "Revenue",
          connector_id: args.connectorId,
          dataset: args.dataset,
          query: args.query,
          ...(args.type === "table" ? {} : { chart: args.chart }),
        },
      }],
    }
  );
  await ask(t, cookie, sessionId, "chart it");
  const [result] = toolResults(fake.requests.at(-1)!) as { artifact_id?: string; error?: string }[];
  ok(result.artifact_id, JSON.stringify(result));
  return result.artifact_id;
}

testEachBackend("dotted_column_names.csv: a bar chart of revenue.usd by region draws its 3 bars", async (t) => {
  const { cookie } = await t.signUp();
  const text = await Deno.readTextFile(join(CASES, "dotted_column_names.csv"));
  const rows = Papa.parse<string[]>(text.trim()).data.slice(1);
  const { connectorId } = await uploadCsv(t, cookie, "dotted", text);
  const id = await chartThroughChat(t, cookie, {
    connectorId,
    dataset: "dotted",
    query: { dimensions: ["region"], measures: [{ fn: "sum", column: "revenue.usd", as: "revenue.usd" }] },
    chart: { mark: "bar", x: "region", y: "revenue.usd" },
  });
  const svg = await t.call(`/api/artifacts/${id}/chart.svg`, { cookie });
  equal(svg.status, 200, svg.text);
  // Vega labels each bar for screen readers with its fields; its height is in the path (h width v height).
  const bars = [
    ...svg.text.matchAll(
      /<path aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="bar" d="M[\d.]+,[\d.]+h[\d.]+v([\d.]+)/g,
    ),
  ]
    .map((m) => ({ label: m[1], height: Number(m[2]) }));
  equal(bars.length, rows.length, svg.text.slice(0, 2000));
  const max = Math.max(...rows.map(([, revenue]) => Number(revenue)));
  const tallest = Math.max(...bars.map((b) => b.height));
  for (const [region, revenue] of rows) {
    const bar = bars.find((b) => b.label === `region: ${region}; revenue.usd: ${revenue}`);
    ok(bar, `${region} ${revenue}: ${bars.map((b) => b.label).join(" | ")}`);
    ok(Math.abs(bar.height / tallest - Number(revenue) / max) < 1e-6, `${region}'s bar height`);
  }
}, ENV);

testEachBackend(
  "column names with dots, quotes, spaces, SQL keywords and 300 characters are queried, filtered and charted",
  async (t) => {
    const { cookie } = await t.signUp();
    const long = "x".repeat(299) + "!";
    const names = ["a.b[0]", 'quo"te', "two words", "select", long];
    const header = names.map((n) => `"${n.replaceAll('"', '""')}"`).join(",");
    const { connectorId } = await uploadCsv(t, cookie, "names", `${header}\nk1,q,w,s,5\nk2,q,w,s,7\nk3,r,w,s,11\n`);
    deepStrictEqual((await datasetColumns(t, cookie, connectorId, "names")).map((c) => c.name), names);
    const result = await queryOk(t, cookie, connectorId, "names", {
      dimensions: ['quo"te', "select"],
      measures: [{ fn: "sum", column: long, as: "a.b[0] total" }],
      filters: [{ column: "two words", op: "eq", value: "w" }, { column: "a.b[0]", op: "neq", value: "k9" }],
      order_by: [{ column: 'quo"te' }],
    });
    deepStrictEqual(result.rows, [["q", "s", 12], ["r", "s", 11]]);
    const id = await chartThroughChat(t, cookie, {
      connectorId,
      dataset: "names",
      query: { dimensions: ["a.b[0]"], measures: [{ fn: "sum", column: long, as: long }] },
      chart: { mark: "bar", x: "a.b[0]", y: long },
    });
    const svg = await t.call(`/api/artifacts/${id}/chart.svg`, { cookie });
    equal(svg.status, 200, svg.text);
    equal([...svg.text.matchAll(/role="graphics-symbol"/g)].length >= 3, true);
    for (const [key, value] of [["k1", 5], ["k2", 7], ["k3", 11]]) match(svg.text, new RegExp(`${key}; x+!: ${value}`));
  },
  ENV,
);

testEachBackend("formula_cells.csv: a downloaded CSV neutralises formulas and keeps numbers numbers", async (t) => {
  const { cookie } = await t.signUp();
  const text = await Deno.readTextFile(join(CASES, "formula_cells.csv"));
  const source = Papa.parse<string[]>(text.trim()).data.slice(1);
  // A negative amount beside each row: numbers that start with "-" must stay numbers.
  const withAmounts = "id,label,amount\n" +
    Papa.unparse(source.map(([id, label]) => [id, label, -Number(id) * 1.5]), { newline: "\n" }) + "\n";
  const { connectorId } = await uploadCsv(t, cookie, "formulas", withAmounts);
  const id = await chartThroughChat(t, cookie, {
    connectorId,
    dataset: "formulas",
    type: "table",
    query: { order_by: [{ column: "id" }] },
    chart: undefined,
  });
  const download = await t.call(`/api/artifacts/${id}/download?format=csv`, { cookie });
  equal(download.status, 200, download.text);
  const cells = Papa.parse<string[]>(download.text.trim()).data;
  deepStrictEqual(cells[0], ["id", "label", "amount"]);
  for (const [i, [rowId, label]] of source.entries()) {
    const [gotId, gotLabel, gotAmount] = cells[i + 1];
    equal(gotId, rowId);
    equal(gotLabel, /^[=+\-@\t\r]/.test(label) ? `'${label}` : label);
    equal(gotAmount, String(-Number(rowId) * 1.5));
  }
  for (const row of cells.slice(1)) ok(!/^[=+@\t\r]/.test(row[1]) && !/^-/.test(row[1]), row[1]);
}, ENV);

Deno.test({
  name: "(stop the fake model)",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => fake.close(),
});

closeSharedAppsAfterAll();
