/**
 * The dashboard editor's question (remove a widget), apart from components/confirmations.ts
 * because the editor island builds it in the browser, where that module's database imports cannot
 * go. confirmations.ts registers its kind for the plain /confirm page.
 */
import type { Confirmation } from "./confirm_types.ts";

/** Removing one widget from a dashboard (its data stays; the editor's form can add it again). */
export function removeWidget(w: { id: string; dashboardId: string; title: string }): Confirmation {
  return {
    id: `remove-widget-${w.id}`,
    title: `Remove “${w.title}” from the dashboard?`,
    message: "The dashboard and its share links stop showing it at once. Its data stays: the editor can add " +
      "it again.",
    action: `/dashboards/${w.dashboardId}/edit`,
    fields: { action: "remove_widget", widget_id: w.id },
    confirmLabel: "Remove widget",
    cancelHref: `/dashboards/${w.dashboardId}/edit`,
    pageHref: `/confirm/remove-widget?${new URLSearchParams({ id: w.id })}`,
  };
}
