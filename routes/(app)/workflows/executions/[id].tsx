/** One execution: its steps as a timeline that updates while it runs (ExecutionTimeline polls the API). */
import type { FreshContext, PageProps } from "../../../../lib/fresh/mod.ts";
import type { PageState } from "../../../../lib/app.ts";
import { getExecution } from "../../../../functions/workflows/executions.ts";
import { getWorkflow } from "../../../../functions/workflows/workflows.ts";
import { executionDetailJson } from "../../../api/workflow_schemas.ts";
import ExecutionTimeline, { type ExecutionView } from "../../../../islands/ExecutionTimeline.tsx";

interface Data {
  execution: ExecutionView;
  workflowName: string;
  pageTitle: string;
}

export const handler = {
  async GET(ctx: FreshContext<PageState>): Promise<Data> {
    const { deps, user } = ctx.state;
    const { execution, steps, duplicates } = await getExecution(deps, user!.id, ctx.params.id);
    const workflow = await getWorkflow(deps, user!.id, execution.workflowId);
    const started = execution.createdAt.toISOString().slice(0, 16).replace("T", " ");
    return {
      execution: JSON.parse(JSON.stringify(executionDetailJson(execution, steps, duplicates))),
      workflowName: workflow.name,
      pageTitle: `Execution ${started} UTC · ${workflow.name} · Workflow`,
    };
  },
};

export default function ExecutionPage({ data }: PageProps<Data>) {
  return (
    <section class="section">
      <header class="section-header">
        <div>
          <p class="muted small">
            <a href="/workflows">Workflows</a> /{" "}
            <a href={`/workflows/${data.execution.workflow_id}`}>{data.workflowName}</a>
          </p>
          <h1>Execution</h1>
        </div>
      </header>
      <ExecutionTimeline initial={data.execution} />
    </section>
  );
}
