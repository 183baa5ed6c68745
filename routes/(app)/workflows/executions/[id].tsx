/** One execution: its steps as a timeline that updates while it runs (ExecutionTimeline polls the API). */
import type { FreshContext, PageProps } from "../../../../lib/fresh/mod.ts";
import type { PageState } from "../../../../lib/app.ts";
import { getExecution } from "../../../../functions/workflows/executions.ts";
import { getWorkflow } from "../../../../functions/workflows/workflows.ts";
import { executionDetailJson } from "../../../api/workflow_schemas.ts";
import { notFound } from "../../../../lib/http/errors.ts";
import { isUuid } from "../../../../lib/http/ids.ts";
import ExecutionTimeline, { type ExecutionView } from "../../../../islands/ExecutionTimeline.tsx";
import { formatWhen } from "../../../../components/format.ts";

interface Data {
  execution: ExecutionView;
  workflowName: string;
  pageTitle: string;
  testEvent: boolean;
}

export const handler = {
  async GET(ctx: FreshContext<PageState>): Promise<Data> {
    if (!isUuid(ctx.params.id)) throw notFound("Execution");
    const { deps, user } = ctx.state;
    const { execution, steps, duplicates } = await getExecution(deps, user!.id, ctx.params.id);
    const workflow = await getWorkflow(deps, user!.id, execution.workflowId);
    return {
      execution: JSON.parse(JSON.stringify(executionDetailJson(execution, steps, duplicates))),
      workflowName: workflow.name,
      testEvent: isTestEvent(execution.input),
      pageTitle: `Execution ${formatWhen(execution.createdAt)} · ${workflow.name} · Workflow`,
    };
  },
};

/** Whether a delivery came from the editor's "Send test event" (webhooks.ts signs those as msg_test_…). */
function isTestEvent(input: unknown): boolean {
  const id = (input as { headers?: Record<string, unknown> } | null)?.headers?.["webhook-id"];
  return typeof id === "string" && id.startsWith("msg_test_");
}

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
      <ExecutionTimeline initial={data.execution} testEvent={data.testEvent} />
    </section>
  );
}
