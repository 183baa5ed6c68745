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
import { StatusBadge } from "../../../components/StatusBadge.tsx";
import WorkflowEditor from "../../../islands/WorkflowEditor.tsx";
import ConfirmButton from "../../../islands/ConfirmButton.tsx";
import { deleteWorkflow as confirmDeleteWorkflow } from "../../../components/confirmations.ts";
import { deleteWorkflow } from "../../../functions/workflows/workflows.ts";
import { isUuid } from "../../../lib/http/ids.ts";

interface Data {
  workflow: WorkflowRow;
  executions: (ExecutionRow & { duplicates: number | null })[];
  lastRuns: Record<string, { input: unknown; output: unknown; error: string | null; status: string }>;
  origin: string;
}

export const handler = {
  async GET(ctx: FreshContext<PageState>): Promise<Data> {
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
        origin: deps.config.appUrl ? new URL(deps.config.appUrl).origin : new URL(ctx.req.url).origin,
      };
    });
  },
  /** The confirmed "Delete workflow" (from its dialog, or /confirm/delete-workflow without JavaScript). */
  async POST(ctx: FreshContext<PageState>): Promise<Response> {
    if (!isUuid(ctx.params.id)) throw notFound("Workflow");
    const form = await ctx.req.formData();
    if (form.get("action") !== "delete") throw notFound("Action");
    await deleteWorkflow(ctx.state.deps, ctx.state.user!.id, ctx.params.id, ctx.state.meta);
    return ctx.redirect("/workflows");
  },
};

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
      <WorkflowEditor
        workflowId={workflow.id}
        name={workflow.name}
        steps={workflow.steps as { id: string; type: string; config: Record<string, unknown> }[]}
        config={workflow.config}
        webhookUrl={`${data.origin}/hooks/${workflow.id}`}
        lastRuns={data.lastRuns}
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
                        {e.createdAt.toISOString().slice(0, 19).replace("T", " ")}
                      </a>
                    </td>
                    <td>
                      {e.trigger}
                      {e.duplicates ? ` · ${e.duplicates} duplicate${e.duplicates > 1 ? "s" : ""} suppressed` : ""}
                    </td>
                    <td>
                      <StatusBadge status={e.status} />
                    </td>
                    <td>
                      {e.startedAt && e.completedAt ? `${e.completedAt.getTime() - e.startedAt.getTime()} ms` : "—"}
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
