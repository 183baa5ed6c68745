/** One execution: its steps as a timeline that updates while it runs (ExecutionTimeline polls the API). */
import type { FreshContext, PageProps } from "../../../../lib/fresh/mod.ts";
import type { PageState } from "../../../../lib/app.ts";
import { getExecution } from "../../../../functions/workflows/executions.ts";
import { executionDetailJson } from "../../../api/workflow_schemas.ts";
import { notFound } from "../../../../lib/http/errors.ts";
import { isUuid } from "../../../../lib/http/ids.ts";
import ExecutionTimeline, { type ExecutionView } from "../../../../islands/ExecutionTimeline.tsx";

interface Data {
  execution: ExecutionView;
}

export const handler = {
  async GET(ctx: FreshContext<PageState>): Promise<Data> {
    if (!isUuid(ctx.params.id)) throw notFound("Execution");
    const { execution, steps, duplicates } = await getExecution(ctx.state.deps, ctx.state.user!.id, ctx.params.id);
    return { execution: JSON.parse(JSON.stringify(executionDetailJson(execution, steps, duplicates))) };
  },
};

export default function ExecutionPage({ data }: PageProps<Data>) {
  return (
    <section class="section">
      <header class="section-header">
        <div>
          <p class="muted small">
            <a href="/workflows">Workflows</a> / <a href={`/workflows/${data.execution.workflow_id}`}>workflow</a>
          </p>
          <h1>Execution</h1>
        </div>
      </header>
      <ExecutionTimeline initial={data.execution} />
    </section>
  );
}
