/** One workflow: the step editor (an island), its webhook, and its recent executions. */
import type { FreshContext, PageProps } from "../../../lib/fresh/mod.ts";
import type { PageState } from "../../../lib/app.ts";
import { notFound } from "../../../lib/http/errors.ts";
import { asUser } from "../../../db/rls.ts";
import {
  type ExecutionRow,
  findWorkflow,
  lastStepRuns,
  listExecutions,
  type WorkflowRow,
} from "../../../db/queries/workflows.ts";
import { capped } from "../../../functions/workflows/json.ts";
import { executionStatus, StatusBadge } from "../../../components/StatusBadge.tsx";
import WorkflowEditor from "../../../islands/WorkflowEditor.tsx";
import SecretReveal from "../../../islands/SecretReveal.tsx";
import { rotateWebhookSecret as confirmRotation } from "../../../components/confirmations.ts";
import { rotateWebhookSecret } from "../../../functions/workflows/workflows.ts";
import { renderFormError } from "../../../components/auth_form.ts";
import { formatDuration, formatWhen } from "../../../components/format.ts";
import { originOf } from "../../../lib/http/origin.ts";
import ConfirmButton from "../../../islands/ConfirmButton.tsx";
import { deleteWorkflow as confirmDeleteWorkflow } from "../../../components/confirmations.ts";
import { deleteWorkflow } from "../../../functions/workflows/workflows.ts";
import { isUuid } from "../../../lib/http/ids.ts";

interface Data {
  workflow: WorkflowRow;
  executions: (ExecutionRow & { duplicates: number | null })[];
  lastRuns: Record<string, { input: unknown; output: unknown; error: string | null; status: string }>;
  origin: string;
  pageTitle: string;
  /** A signing secret just made (after the confirmation's yes), shown this once. */
  newSecret?: string;
  error?: string;
}

/** How long senders may keep signing with the previous secret after a rotation from this page. */
const KEEP_PREVIOUS_S = 24 * 60 * 60;

export const handler = {
  GET: (ctx: FreshContext<PageState>) => load(ctx),
  /**
   * The confirmations' forms (ConfirmButton, or /confirm/… without JavaScript): "Delete workflow"
   * and "New signing secret".
   */
  async POST(ctx: FreshContext<PageState>) {
    if (!isUuid(ctx.params.id)) throw notFound("Workflow");
    const form = await ctx.req.formData();
    const { deps, user, meta } = ctx.state;
    const action = form.get("action");
    if (action === "delete") {
      await deleteWorkflow(deps, user!.id, ctx.params.id, meta);
      return ctx.redirect("/workflows");
    }
    if (action !== "rotate_secret") throw notFound("Action");
    try {
      const secret = await rotateWebhookSecret(deps, user!.id, ctx.params.id, KEEP_PREVIOUS_S, meta);
      return ctx.render({ ...await load(ctx), newSecret: secret });
    } catch (error) {
      return await renderFormError(ctx, error, async (message) => ({ ...await load(ctx), error: message }));
    }
  },
};

async function load(ctx: FreshContext<PageState>): Promise<Data> {
  const { deps, user } = ctx.state;
  if (!isUuid(ctx.params.id)) throw notFound("Workflow");
  return await asUser(deps.db, user!.id, async (tx) => {
    const workflow = await findWorkflow(tx, ctx.params.id);
    if (!workflow) throw notFound("Workflow");
    const runs = await lastStepRuns(tx, workflow.id);
    return {
      workflow,
      executions: await listExecutions(tx, workflow.id, { limit: 20 }),
      lastRuns: Object.fromEntries(runs.map((r) => [r.stepId, {
        input: capped(r.input, 4000),
        output: capped(r.output, 4000),
        error: r.error,
        status: r.status,
      }])),
      origin: originOf(deps, ctx.req.url),
      pageTitle: `${workflow.name} · Workflow`,
    };
  });
}

export default function WorkflowPage({ data }: PageProps<Data>) {
  const { workflow } = data;
  return (
    <section class="section">
      <header class="section-header">
        <div>
          <p class="muted small">
            <a href="/workflows">Workflows</a>
          </p>
          <h1>{workflow.name}</h1>
        </div>
        <div class="actions">
          <ConfirmButton
            label="Delete…"
            class="button danger"
            confirmation={confirmDeleteWorkflow(workflow)}
            testId="delete-workflow"
          />
        </div>
      </header>
      {data.error && <p class="alert" role="alert">{data.error}</p>}
      {data.newSecret && (
        <div class="card" data-testid="new-secret">
          <SecretReveal secret={data.newSecret} />
          <p class="muted small">The previous secret keeps working for 24 hours.</p>
        </div>
      )}
      <WorkflowEditor
        rotate={confirmRotation(workflow)}
        workflowId={workflow.id}
        name={workflow.name}
        steps={workflow.steps as { id: string; type: string; config: Record<string, unknown> }[]}
        config={workflow.config}
        webhookUrl={`${data.origin}/hooks/${workflow.id}`}
        lastRuns={data.lastRuns}
        secretShown={Boolean(data.newSecret)}
      />
      <h2>Executions</h2>
      {data.executions.length === 0
        ? <p class="muted">No executions yet: run it, or send a test event.</p>
        : (
          <div class="table-wrap">
            <table class="table" data-testid="executions">
              <thead>
                <tr>
                  <th>Started</th>
                  <th>Trigger</th>
                  <th>Status</th>
                  <th>Duration</th>
                </tr>
              </thead>
              <tbody>
                {data.executions.slice(0, 20).map((e) => (
                  <tr key={e.id}>
                    <td>
                      <a href={`/workflows/executions/${e.id}`}>
                        {formatWhen(e.createdAt)}
                      </a>
                    </td>
                    <td>
                      {e.trigger}
                      {e.duplicates ? ` · ${e.duplicates} duplicate${e.duplicates > 1 ? "s" : ""} suppressed` : ""}
                    </td>
                    <td>
                      <StatusBadge status={executionStatus(e.status, e.startedAt)} />
                    </td>
                    <td>
                      {e.startedAt && e.completedAt
                        ? formatDuration(e.completedAt.getTime() - e.startedAt.getTime())
                        : "—"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
    </section>
  );
}
