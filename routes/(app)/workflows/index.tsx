/** Workflows: the list, and a form to start a new one (its webhook secret is shown once, here). */
import type { FreshContext, PageProps } from "../../../lib/fresh/mod.ts";
import type { PageState } from "../../../lib/app.ts";
import { createWorkflow, getWorkflow, listWorkflowsOf } from "../../../functions/workflows/workflows.ts";
import { isUuid } from "../../../lib/http/ids.ts";
import type { WorkflowRow } from "../../../db/queries/workflows.ts";
import { renderFormError } from "../../../components/auth_form.ts";
import { EmptyState } from "../../../components/EmptyState.tsx";
import SecretReveal from "../../../islands/SecretReveal.tsx";
import { formatWhen } from "../../../components/format.ts";
import { originOf } from "../../../lib/http/origin.ts";
import { ApiError } from "../../../lib/http/errors.ts";

interface Data {
  workflows: WorkflowRow[];
  /** The id the next workflow made through the form gets: a form sent twice (a reload) makes one. */
  formId: string;
  created?: { id: string; name: string; secret: string; url: string };
  /** A workflow this form made already, when the same form came again. */
  repeated?: { id: string; name: string };
  error?: string;
  name?: string;
}

/** A new workflow starts with one step that passes the trigger's payload on. */
const STARTER = [{ id: "start", type: "transform", config: { expression: "trigger.payload" } }];

async function load(ctx: FreshContext<PageState>, extra: Partial<Data> = {}): Promise<Data> {
  const workflows = await listWorkflowsOf(ctx.state.deps, ctx.state.user!.id, { limit: 100 });
  return { workflows, formId: crypto.randomUUID(), ...extra };
}

export const handler = {
  GET: (ctx: FreshContext<PageState>) => load(ctx),
  async POST(ctx: FreshContext<PageState>) {
    const form = await ctx.req.formData();
    const name = String(form.get("name") ?? "").trim();
    const formId = isUuid(form.get("form_id")) ? String(form.get("form_id")) : crypto.randomUUID();
    try {
      if (!name) throw new ApiError(400, "invalid_request", "Give the workflow a name");
      const earlier = await getWorkflow(ctx.state.deps, ctx.state.user!.id, formId).catch((error) => {
        if (error instanceof ApiError && error.status === 404) return undefined;
        throw error;
      });
      if (earlier) {
        return await load(ctx, { repeated: { id: earlier.id, name: earlier.name } }).then((data) => ctx.render(data));
      }
      const { row, secret } = await createWorkflow(
        ctx.state.deps,
        ctx.state.user!.id,
        { name, steps: STARTER },
        ctx.state.meta,
        { id: formId },
      );
      const origin = originOf(ctx.state.deps, ctx.req.url);
      return await load(ctx).then((data) =>
        ctx.render({ ...data, created: { id: row.id, name: row.name, secret, url: `${origin}/hooks/${row.id}` } })
      );
    } catch (error) {
      return await renderFormError(ctx, error, (message) => load(ctx, { error: message, name }));
    }
  },
};

export default function Workflows({ data }: PageProps<Data>) {
  return (
    <section class="section">
      <header class="section-header">
        <div>
          <h1>Workflows</h1>
          <p class="muted">Steps that run on a schedule, on demand, from chat, or when a signed webhook arrives.</p>
        </div>
      </header>
      {data.created && (
        <div class="card" data-testid="created">
          <p>
            <strong>{data.created.name}</strong> is ready. Its webhook URL is <code>{data.created.url}</code>
          </p>
          <SecretReveal secret={data.created.secret} />
          <p>
            <a class="button primary" href={`/workflows/${data.created.id}`}>Open the workflow</a>
          </p>
        </div>
      )}
      {data.repeated && (
        <div class="card" data-testid="repeated" role="status">
          <p>
            <strong>{data.repeated.name}</strong>{" "}
            was created when this form was first sent, so no second workflow was made. Its signing secret was shown
            then, once; if you did not copy it, rotate it on the workflow's page.
          </p>
          <p>
            <a class="button primary" href={`/workflows/${data.repeated.id}`}>Open the workflow</a>
          </p>
        </div>
      )}
      <form method="post" class="card form inline-form">
        <input type="hidden" name="form_id" value={data.formId} />
        <label>
          Name <input name="name" required maxLength={100} value={data.name ?? ""} />
        </label>
        <button type="submit" class="button primary" data-busy-label="Creating…">New workflow</button>
      </form>
      {data.error && <p class="alert" role="alert">{data.error}</p>}
      {data.workflows.length === 0
        ? (
          <EmptyState icon="workflows" title="No workflows yet">
            Chain queries, LLM calls and HTTP requests, and trigger them from outside with a webhook.
          </EmptyState>
        )
        : (
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Steps</th>
                  <th>State</th>
                  <th>Updated</th>
                </tr>
              </thead>
              <tbody>
                {data.workflows.map((w) => (
                  <tr key={w.id}>
                    <td>
                      <a href={`/workflows/${w.id}`}>{w.name}</a>
                    </td>
                    <td>{(w.steps as unknown[]).length}</td>
                    <td>{w.enabled ? "enabled" : "disabled"}</td>
                    <td>{formatWhen(w.updatedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
    </section>
  );
}
