/**
 * The share links' questions (rotate, revoke), apart from components/confirmations.ts because the
 * Share panel island builds them in the browser, where that module's database imports cannot go.
 * confirmations.ts registers their kinds for the plain /confirm page.
 */
import type { Confirmation } from "./confirm_types.ts";

const page = (kind: string, id: string) => `/confirm/${kind}?${new URLSearchParams({ id })}`;

/** Giving a share link a new URL: the one people have stops working. */
export function rotateShare(l: { id: string; dashboardId: string; label: string }): Confirmation {
  return {
    id: `rotate-share-${l.id}`,
    title: `Give “${l.label || "Untitled link"}” a new URL?`,
    message:
      "The current URL stops working at once (a browser that opened it in the last 30 seconds may still show the page it kept); send the new one to those who should keep it.",
    action: `/dashboards/${l.dashboardId}/shares`,
    fields: { action: "rotate", id: l.id },
    confirmLabel: "Rotate link",
    cancelHref: `/dashboards/${l.dashboardId}#share`,
    pageHref: page("rotate-share", l.id),
  };
}

/** Turning a share link off for good. */
export function revokeShare(l: { id: string; dashboardId: string; label: string }): Confirmation {
  return {
    id: `revoke-share-${l.id}`,
    title: `Revoke “${l.label || "Untitled link"}”?`,
    message:
      "The link stops working at once (a browser that opened it in the last 30 seconds may still show the page it kept) and cannot be turned back on; the dashboard stays.",
    action: `/dashboards/${l.dashboardId}/shares`,
    fields: { action: "revoke", id: l.id },
    confirmLabel: "Revoke link",
    cancelHref: `/dashboards/${l.dashboardId}#share`,
    pageHref: page("revoke-share", l.id),
  };
}
