import { deepEqual, equal, throws } from "node:assert/strict";
import { fieldLabel, FieldProblem, freshId, idProblem, placeRefusal, SECRET_MASK, toConfig, toForm } from "./forms.ts";

Deno.test("a step's config survives the trip through its form, unknown keys included", () => {
  const http = {
    method: "PUT",
    url: "https://example.com/{{ trigger.payload.id }}",
    headers: { "X-Trace": "{{ trigger.payload.id }}" },
    secret_headers: { Authorization: SECRET_MASK },
    body: { id: "{{ trigger.payload.id }}", n: 2 },
    timeout_ms: 5000,
  };
  const form = toForm("http", http);
  deepEqual(form.headers, [
    { name: "X-Trace", value: "{{ trigger.payload.id }}", secret: false, stored: false },
    { name: "Authorization", value: SECRET_MASK, secret: true, stored: true },
  ]);
  deepEqual(toConfig("http", form), http);
  const llm = { prompt: "Hi {{ trigger.payload.name }}", schema: { type: "object" } };
  deepEqual(toConfig("llm", toForm("llm", llm)), llm);
  const condition = { if: "x > 1", then: "end" };
  deepEqual(toConfig("condition", toForm("condition", condition)), condition);
  deepEqual(toConfig("http", toForm("http", { url: "https://x.example", body: "plain {{ a }}" })), {
    method: "POST",
    url: "https://x.example",
    body: "plain {{ a }}",
  });
  // A body that is one template (it starts with `{{`) stays text, as the API and engine take it.
  const templated = { url: "https://x.example", body: "{{ $string(steps.shape.output) }}" };
  deepEqual(toConfig("http", toForm("http", templated)), { method: "POST", ...templated });
});

Deno.test("a form that cannot be config names its field in a sentence", () => {
  const problem = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e instanceof FieldProblem ? [e.field, e.message] : ["?", String(e)];
    }
  };
  deepEqual(problem(() => toConfig("transform", toForm("transform", { expression: " " }))), [
    "expression",
    "Expression is required.",
  ]);
  const bad = toForm("llm", { prompt: "x" });
  bad.fields.schema = "{ nope";
  equal(problem(() => toConfig("llm", bad))?.[0], "schema");
  const twice = toForm("http", { url: "https://x.example", headers: { A: "1" }, secret_headers: { a: "2" } });
  deepEqual(problem(() => toConfig("http", twice)), ["headers", "The header “a” is given twice."]);
  throws(() => toConfig("sync", toForm("sync", {})), FieldProblem);
  // For the JSON box nothing is refused, and what was typed comes back to the fields.
  const half = toForm("llm", { prompt: "" });
  half.fields.schema = "{ nope";
  deepEqual(toConfig("llm", half, true), { schema: "{ nope" });
  equal(toForm("llm", toConfig("llm", half, true)).fields.schema, "{ nope");
});

Deno.test("a query step's query is rows when they can hold it, else JSON text, and comes back the same", () => {
  const base = { connector_id: "c0ffee00-0000-4000-8000-000000000000", dataset: "orders" };
  const plain = { ...base, query: { dimensions: ["region"], measures: [{ fn: "sum", column: "amount" }], limit: 5 } };
  const form = toForm("query", plain);
  deepEqual(form.query?.dimensions, ["region"]);
  equal(form.fields.query, "");
  deepEqual(toConfig("query", form), plain);
  deepEqual(toConfig("query", toForm("query", base)), { ...base, query: {} });
  // Date buckets have no rows: the query is JSON text, saved back untouched.
  const bucketed = { ...base, query: { dimensions: [{ column: "day", bucket: "month" }] } };
  const json = toForm("query", bucketed);
  equal(json.query, undefined);
  deepEqual(JSON.parse(json.fields.query), bucketed.query);
  deepEqual(toConfig("query", json), bucketed);
  // A row's problem names the row, and its label says which.
  form.query!.measures.push({ fn: "avg", column: "" });
  let field = "";
  try {
    toConfig("query", form);
  } catch (error) {
    field = (error as FieldProblem).field;
  }
  equal(field, "query.measures.1");
  equal(fieldLabel("query", field), "Measure 2");
  equal(fieldLabel("query", "query.limit"), "Limit");
  equal(fieldLabel("query", "query"), "Query");
  // For the JSON box nothing is refused.
  deepEqual(toConfig("query", form, true).query, {
    ...plain.query,
    measures: [...plain.query.measures, { fn: "avg" }],
  });
});

Deno.test("step ids follow the server's rule and stay unique", () => {
  equal(idProblem("ok_1", ["ok_1", "b"]), undefined);
  equal(idProblem("", []), "Give the step an id.");
  equal(idProblem("1x", ["1x"])?.startsWith("A step id starts with a letter"), true);
  equal(idProblem("b", ["b", "b"]), "Another step has the id “b”.");
  equal(freshId("http", ["http1", "http2"]), "http3");
});

Deno.test("a refusal is placed on its step and field, as a sentence without the path", () => {
  deepEqual(
    placeRefusal(
      'Invalid request: steps.1.config.expression: Step "b" (transform): expression: not a valid JSONata expression',
    ),
    { index: 1, field: "expression", text: "Not a valid JSONata expression." },
  );
  deepEqual(
    placeRefusal(
      'Invalid request: steps.0.config.secret_headers.X-Other: Step "call" (http): secret_headers.X-Other: ' +
        "no value is stored yet: enter it",
    ),
    { index: 0, field: "headers", text: "No value is stored yet: enter it." },
  );
  deepEqual(
    placeRefusal("Invalid request: steps.2.id: Step ids start with a letter and hold letters, digits, - and _"),
    { index: 2, field: "id", text: "Step ids start with a letter and hold letters, digits, - and _." },
  );
  deepEqual(
    placeRefusal(
      'Invalid request: steps.0.config.query.limit: Step "q" (query): query.limit: Too big: expected number to be <=10000',
    ),
    { index: 0, field: "query.limit", text: "Too big: expected number to be <=10000." },
  );
  deepEqual(
    placeRefusal('Invalid request: steps.3.config.query.filters.0.value: Step "q" (query): query.filters.0.value: x'),
    { index: 3, field: "query.filters.0", text: "X." },
  );
  deepEqual(placeRefusal("Invalid request: steps: A workflow needs at least one step"), {
    index: null,
    field: "",
    text: "A workflow needs at least one step.",
  });
  deepEqual(placeRefusal("The workflow was deleted"), { index: null, field: "", text: "The workflow was deleted." });
});
