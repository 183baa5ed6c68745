/**
 * An http step's sealed headers through renames, over the real API and a local server that records
 * what it is sent: `renamed_steps` carries them to the step's new id (swaps included), and the
 * site rule still holds for a renamed step. Sealing and masking themselves are in workflows_test.ts.
 */
import { equal, match } from "node:assert/strict";
import { closeSharedAppsAfterAll, type TestApp, testEachBackend } from "./support/test_app.ts";
import { startHostileSources } from "./support/sources.ts";
import { createWorkflow, waitForExecution } from "./support/workflows.ts";

const sources = startHostileSources();
const ENV = { OUTBOUND_ALLOW_HOSTS: "127.0.0.1" };
const MASK = "********";

type Step = { id: string; type: string; config: Record<string, unknown> };

/** An http step that GETs `path` on the local server with `secret` as its sealed X-Key header. */
const call = (id: string, path: string, secret: string): Step => ({
  id,
  type: "http",
  config: { method: "GET", url: `${sources.base}${path}`, secret_headers: { "X-Key": secret } },
});

/** The workflow's steps as the API shows them (secrets masked). */
async function stepsOf(t: TestApp, cookie: string, id: string): Promise<Step[]> {
  return ((await t.call(`/api/workflows/${id}`, { cookie })).body as { steps: Step[] }).steps;
}

/** Runs the workflow and answers the X-Key each path on the local server was sent. */
async function keysSent(t: TestApp, cookie: string, id: string): Promise<Record<string, string | undefined>> {
  const before = sources.seen.length;
  const run = await t.call(`/api/workflows/${id}/run`, { cookie, body: { input: {} } });
  equal(run.status, 202, run.text);
  const done = await waitForExecution(t, cookie, (run.body as { execution_id: string }).execution_id);
  equal(done.status, "succeeded", JSON.stringify(done));
  return Object.fromEntries(sources.seen.slice(before).map((r) => [r.path, r.headers["x-key"]]));
}

const patch = (t: TestApp, cookie: string, id: string, body: unknown) =>
  t.call(`/api/workflows/${id}`, { method: "PATCH", cookie, body });

testEachBackend("a renamed http step keeps its sealed headers when the PATCH names the rename", async (t) => {
  const { cookie } = await t.signUp();
  const secret = `key-${crypto.randomUUID()}`;
  const wf = await createWorkflow(t, cookie, { steps: [call("call", "/orders", secret)] });
  const [saved] = await stepsOf(t, cookie, wf.id);
  equal((saved.config.secret_headers as Record<string, string>)["X-Key"], MASK);

  // Renamed without saying so, the new id has nothing stored: refused, nothing lost.
  const renamed = { ...saved, id: "notify" };
  const unsaid = await patch(t, cookie, wf.id, { steps: [renamed] });
  equal(unsaid.status, 400, unsaid.text);
  match(unsaid.text, /secret_headers\.X-Key: no value is stored yet: enter it/);

  const said = await patch(t, cookie, wf.id, { steps: [renamed], renamed_steps: { call: "notify" } });
  equal(said.status, 200, said.text);
  equal((await stepsOf(t, cookie, wf.id))[0].id, "notify");
  equal((await keysSent(t, cookie, wf.id))["/orders"], secret);

  // Renamed and sent to another site, the mask is refused as before: the secret must be typed again.
  const elsewhere = { ...renamed, id: "moved", config: { ...renamed.config, url: `${sources.other.base}/steal` } };
  const refused = await patch(t, cookie, wf.id, { steps: [elsewhere], renamed_steps: { notify: "moved" } });
  equal(refused.status, 400, refused.text);
  match(refused.text, /secret_headers\.X-Key: the URL now points to another site: enter the secret again/);
  equal((await stepsOf(t, cookie, wf.id))[0].id, "notify", "the refused change saved nothing");
}, ENV);

testEachBackend("two http steps that swap ids each keep their own sealed headers", async (t) => {
  const { cookie } = await t.signUp();
  const [first, second] = [`first-${crypto.randomUUID()}`, `second-${crypto.randomUUID()}`];
  const wf = await createWorkflow(t, cookie, { steps: [call("a", "/first", first), call("b", "/second", second)] });
  const [a, b] = await stepsOf(t, cookie, wf.id);
  const swapped = await patch(t, cookie, wf.id, {
    steps: [{ ...a, id: "b" }, { ...b, id: "a" }],
    renamed_steps: { a: "b", b: "a" },
  });
  equal(swapped.status, 200, swapped.text);
  const sent = await keysSent(t, cookie, wf.id);
  equal(sent["/first"], first);
  equal(sent["/second"], second);

  // A step renamed onto a removed step's id takes over that id; the removed step's secret goes with it.
  const [, nowA] = await stepsOf(t, cookie, wf.id);
  const takeover = await patch(t, cookie, wf.id, { steps: [{ ...nowA, id: "b" }], renamed_steps: { a: "b" } });
  equal(takeover.status, 200, takeover.text);
  equal((await keysSent(t, cookie, wf.id))["/second"], second);
}, ENV);

testEachBackend("renames that name no step, or two renamed to one id, are refused in words", async (t) => {
  const { cookie } = await t.signUp();
  const wf = await createWorkflow(t, cookie, { steps: [call("a", "/x", "k1"), call("b", "/y", "k2")] });
  const steps = await stepsOf(t, cookie, wf.id);
  const cases: [unknown, RegExp][] = [
    [{ steps, renamed_steps: { a: "nowhere" } }, /renamed_steps\.a: "nowhere" is not one of the steps/],
    [{ steps, renamed_steps: { gone: "b", a: "b" } }, /two steps are renamed to "b"/],
    [{ name: "x", renamed_steps: { a: "b" } }, /renamed_steps goes with the steps it renames/],
  ];
  for (const [body, message] of cases) {
    const res = await patch(t, cookie, wf.id, body);
    equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
    match((res.body as { error: { message: string } }).error.message, message);
  }
  // A rename from an id that is no step of the saved workflow (already saved) changes nothing.
  const stale = await patch(t, cookie, wf.id, { steps, renamed_steps: { gone: "a" } });
  equal(stale.status, 200, stale.text);
  const sent = await keysSent(t, cookie, wf.id);
  equal(sent["/x"], "k1");
  equal(sent["/y"], "k2");
}, ENV);

Deno.test({
  name: "close the local sources",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => sources.close(),
});
closeSharedAppsAfterAll();
