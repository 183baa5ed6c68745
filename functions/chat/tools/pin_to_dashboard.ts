/** pin_to_dashboard: a chart or table artifact becomes a live widget on a dashboard (new or existing). */
import { tool, zodSchema } from "ai";
import { z } from "zod";
import { createDashboard, getDashboard } from "../../dashboards/dashboards.ts";
import { pinArtifact } from "../../dashboards/widgets.ts";
import { type ChatToolContext, ToolError, toolStep } from "./context.ts";

const input = zodSchema(z.object({
  artifact_id: z.uuid().describe("The chart or table artifact to pin"),
  dashboard_id: z.uuid().optional().describe("An existing dashboard; leave out to make a new one"),
  dashboard_name: z.string().min(1).max(200).optional().describe("The new dashboard's name (without dashboard_id)"),
  title: z.string().min(1).max(200).optional().describe("The widget's title; the artifact's name by default"),
}));

export function pinToDashboardTool(ctx: ChatToolContext) {
  return tool({
    description: "Pin a chart or table artifact to a dashboard as a live widget: it keeps the query and shows " +
      "fresh data after every sync. Give dashboard_id to add to an existing dashboard, or dashboard_name for a new one.",
    inputSchema: input,
    execute: ({ artifact_id, dashboard_id, dashboard_name, title }) =>
      toolStep(ctx, "pin_to_dashboard", async () => {
        let dashboardId = dashboard_id;
        if (dashboardId) {
          const { dashboard } = await getDashboard(ctx.deps, ctx.userId, dashboardId);
          if (dashboard.workspaceId !== ctx.workspaceId) throw new ToolError("No such dashboard in this workspace");
        } else {
          const created = await createDashboard(ctx.deps, ctx.userId, {
            name: dashboard_name ?? "Pinned from chat",
            workspace_id: ctx.workspaceId,
          }, {});
          dashboardId = created.id;
        }
        const widget = await pinArtifact(ctx.deps, ctx.userId, dashboardId, { artifact_id, title }, {});
        return { dashboard_id: dashboardId, widget_id: widget.id, url: `/dashboards/${dashboardId}` };
      }),
  });
}
