/** Dashboards: the list (with a summary of each one's widgets) and a form to make one. Works without JavaScript. */
import type { FreshContext, PageProps } from "../../../lib/fresh/mod.ts";
import type { PageState } from "../../../lib/app.ts";
import { createDashboard, listDashboardsOf } from "../../../functions/dashboards/dashboards.ts";
import type { DashboardRow } from "../../../db/queries/dashboards.ts";
import { DashboardInput } from "../../../functions/dashboards/schemas.ts";
import { parseForm, renderFormError } from "../../../components/auth_form.ts";
import { EmptyState } from "../../../components/EmptyState.tsx";

type Listed = DashboardRow & { widgetCounts: Record<string, number> };

interface Data {
  dashboards: Listed[];
  error?: string;
  name?: string;
}

const KIND: Record<string, [string, string]> = {
  line: ["line chart", "line charts"],
  bar: ["bar chart", "bar charts"],
  area: ["area chart", "area charts"],
  pie: ["pie chart", "pie charts"],
  scatter: ["scatter plot", "scatter plots"],
  table: ["table", "tables"],
  metric: ["metric", "metrics"],
  text: ["note", "notes"],
};

/** "2 bar charts, 1 metric" or "No widgets yet". */
export function widgetSummary(counts: Record<string, number>): string {
  const parts = Object.entries(counts).filter(([, n]) => n > 0).map(([type, n]) =>
    `${n} ${(KIND[type] ?? [type, type])[n === 1 ? 0 : 1]}`
  );
  return parts.length ? parts.join(", ") : "No widgets yet";
}

async function load(ctx: FreshContext<PageState>, extra: Partial<Data> = {}): Promise<Data> {
  const dashboards = await listDashboardsOf(ctx.state.deps, ctx.state.user!.id, { limit: 100 });
  return { dashboards, ...extra };
}

export const handler = {
  GET: (ctx: FreshContext<PageState>) => load(ctx),
  async POST(ctx: FreshContext<PageState>) {
    const form = await ctx.req.formData();
    try {
      const input = parseForm(form, DashboardInput.pick({ name: true, description: true }));
      const created = await createDashboard(ctx.state.deps, ctx.state.user!.id, input, ctx.state.meta);
      return ctx.redirect(`/dashboards/${created.id}`);
    } catch (error) {
      return await renderFormError(
        ctx,
        error,
        (message) => load(ctx, { error: message, name: String(form.get("name") ?? "") }),
      );
    }
  },
};

export default function Dashboards({ data }: PageProps<Data>) {
  return (
    <section class="section">
      <header class="section-header">
        <div>
          <h1>Dashboards</h1>
          <p class="muted">Charts and tables from your sources, live after every sync, shareable with a link.</p>
        </div>
      </header>
      {data.dashboards.length === 0
        ? (
          <EmptyState icon="dashboards" title="No dashboards yet">
            Make one below, or pin a chart from a chat with "Pin to dashboard".
          </EmptyState>
        )
        : (
          <ul class="card item-list" aria-label="Dashboards">
            {data.dashboards.map((d) => (
              <li key={d.id}>
                <a class="item-name" href={`/dashboards/${d.id}`}>{d.name}</a>
                <span class="muted small">{widgetSummary(d.widgetCounts)}</span>
              </li>
            ))}
          </ul>
        )}
      <div class="card" id="new">
        <h2>New dashboard</h2>
        {data.error && <p class="alert" role="alert">{data.error}</p>}
        <form method="post" class="form form-grid">
          <label>
            Name
            <input
              type="text"
              name="name"
              required
              maxLength={200}
              value={data.name ?? ""}
              placeholder="Weekly sales"
            />
          </label>
          <div>
            <button type="submit" class="button primary" data-busy-label="Creating…">Create dashboard</button>
          </div>
        </form>
      </div>
    </section>
  );
}
