/**
 * Every destructive action's question, in one place: a builder per action (pages pass its result
 * to the ConfirmButton island) and a registry by kind, which the plain confirmation page
 * (/confirm/:kind?id=…) uses to build the same question for a browser without JavaScript.
 *
 * To add one (dashboards, share links, workflows): write a builder, register its kind with a
 * loader that finds the item as the caller (404 when they cannot see it), and render
 * `<ConfirmButton label="…" confirmation={builder(item)} />` on the page.
 */
import type { FreshContext } from "../lib/fresh/mod.ts";
import type { PageState } from "../lib/app.ts";
import type { Confirmation } from "./confirm_types.ts";
import { notFound } from "../lib/http/errors.ts";
import { isUuid } from "../lib/http/ids.ts";
import { asUser } from "../db/rls.ts";
import { getConnector } from "../functions/connectors.ts";
import { findDataset } from "../db/queries/connectors.ts";
import { findSession } from "../db/queries/chat.ts";
import { listApiTokens } from "../db/queries/api_tokens.ts";
import { findLiveShareLink, findWidget } from "../db/queries/dashboards.ts";
import { revokeShare, rotateShare } from "./confirm_builders_share.ts";
import { deleteChat } from "./confirm_builders_chat.ts";
import { removeWidget } from "./confirm_builders_widget.ts";
import { findWorkflow } from "../db/queries/workflows.ts";
import { getDashboard } from "../functions/dashboards/dashboards.ts";
import { getWorkflow } from "../functions/workflows/workflows.ts";

export type { Confirmation };
export { deleteChat, removeWidget, revokeShare, rotateShare };

const page = (kind: string, query: Record<string, string> = {}) =>
  `/confirm/${kind}${Object.keys(query).length ? "?" + new URLSearchParams(query) : ""}`;

/** Deleting a connector, its datasets and sync history. */
export function deleteConnector(c: { id: string; name: string }): Confirmation {
  return {
    id: `delete-connector-${c.id}`,
    title: `Delete “${c.name}”?`,
    message: "Its datasets and sync history go with it, and chats can no longer query them. This cannot be undone.",
    action: `/connectors/${c.id}`,
    fields: { action: "delete" },
    confirmLabel: "Delete connector",
    cancelHref: `/connectors/${c.id}`,
    pageHref: page("delete-connector", { id: c.id }),
  };
}

/** Deleting one dataset of a connector (the connector stays). */
export function deleteDataset(c: { id: string }, dataset: string): Confirmation {
  return {
    id: `delete-dataset-${c.id}-${dataset.replace(/\W+/g, "-")}`,
    title: `Delete the dataset “${dataset}”?`,
    message: "Its rows are removed from the workspace; the connector stays, and a sync can read them again.",
    action: `/connectors/${c.id}`,
    fields: { action: "delete_dataset", dataset },
    confirmLabel: "Delete dataset",
    cancelHref: `/connectors/${c.id}`,
    pageHref: page("delete-dataset", { id: c.id, dataset }),
  };
}

/** Revoking an API token. */
export function revokeToken(t: { id: string; name: string }): Confirmation {
  return {
    id: `revoke-token-${t.id}`,
    title: `Revoke the token “${t.name}”?`,
    message: "Scripts that use it stop working at once. You can create a new token afterwards.",
    action: "/settings",
    fields: { action: "revoke", id: t.id },
    confirmLabel: "Revoke token",
    cancelHref: "/settings#tokens",
    pageHref: page("revoke-token", { id: t.id }),
  };
}

/** Signing out every other browser. */
export function signOutOthers(): Confirmation {
  return {
    id: "sign-out-others",
    title: "Sign out of all other sessions?",
    message: "Every other browser signed in to this account is signed out at once; this one stays signed in.",
    action: "/settings",
    fields: { action: "sign_out_others" },
    confirmLabel: "Sign them out",
    cancelHref: "/settings#sessions",
    pageHref: page("sign-out-others"),
  };
}

/** Making a new webhook signing secret for a workflow (the old one keeps working for a day). */
export function rotateWebhookSecret(w: { id: string; name: string }): Confirmation {
  return {
    id: `rotate-secret-${w.id}`,
    title: `A new signing secret for “${w.name}”?`,
    message: "The new secret is shown once, to copy. Senders signing with the current one keep working for 24 hours; " +
      "switch them over in that time.",
    action: `/workflows/${w.id}`,
    fields: { action: "rotate_secret" },
    confirmLabel: "Make a new secret",
    cancelHref: `/workflows/${w.id}`,
    pageHref: page("rotate-webhook-secret", { id: w.id }),
  };
}

/** Deleting a dashboard with its widgets and share links. */
export function deleteDashboard(d: { id: string; name: string }): Confirmation {
  return {
    id: `delete-dashboard-${d.id}`,
    title: `Delete the dashboard “${d.name}”?`,
    message: "Its widgets go with it, and every share link to it stops working at once. The data stays. " +
      "This cannot be undone.",
    action: `/dashboards/${d.id}`,
    fields: { action: "delete" },
    confirmLabel: "Delete dashboard",
    cancelHref: `/dashboards/${d.id}`,
    pageHref: page("delete-dashboard", { id: d.id }),
  };
}

/** Deleting a workflow with its executions; its webhook URL stops accepting deliveries. */
export function deleteWorkflow(w: { id: string; name: string }): Confirmation {
  return {
    id: `delete-workflow-${w.id}`,
    title: `Delete the workflow “${w.name}”?`,
    message: "Its steps and execution history go with it, and its webhook URL stops accepting deliveries. " +
      "This cannot be undone.",
    action: `/workflows/${w.id}`,
    fields: { action: "delete" },
    confirmLabel: "Delete workflow",
    cancelHref: `/workflows/${w.id}`,
    pageHref: page("delete-workflow", { id: w.id }),
  };
}

type Loader = (ctx: FreshContext<PageState>) => Promise<Confirmation>;

/** The id in `?id=`, as a UUID, or a 404. */
function idOf(ctx: FreshContext<PageState>): string {
  const id = ctx.url.searchParams.get("id") ?? "";
  if (!isUuid(id)) throw notFound("Item");
  return id;
}

/** Confirmation kinds the plain page knows, each finding its item as the caller. */
export const CONFIRMATIONS: Record<string, Loader> = {
  "delete-connector": async (ctx) => deleteConnector(await getConnector(ctx.state.deps, ctx.state.user!.id, idOf(ctx))),
  "delete-dataset": async (ctx) => {
    const connector = await getConnector(ctx.state.deps, ctx.state.user!.id, idOf(ctx));
    const name = ctx.url.searchParams.get("dataset") ?? "";
    const found = await asUser(ctx.state.deps.db, ctx.state.user!.id, (tx) => findDataset(tx, connector.id, name));
    if (!found) throw notFound("Dataset");
    return deleteDataset(connector, found.name);
  },
  "delete-chat": async (ctx) => {
    const id = idOf(ctx);
    const session = await asUser(ctx.state.deps.db, ctx.state.user!.id, (tx) => findSession(tx, id));
    if (!session) throw notFound("Chat");
    return deleteChat(session);
  },
  "revoke-token": async (ctx) => {
    const id = idOf(ctx);
    const userId = ctx.state.user!.id;
    const tokens = await asUser(ctx.state.deps.db, userId, (tx) => listApiTokens(tx, userId, { limit: 100 }));
    const token = tokens.find((t) => t.id === id);
    if (!token) throw notFound("Token");
    return revokeToken(token);
  },
  "sign-out-others": () => Promise.resolve(signOutOthers()),
  "rotate-share": async (ctx) => rotateShare(await liveShare(ctx)),
  "revoke-share": async (ctx) => revokeShare(await liveShare(ctx)),
  "rotate-webhook-secret": async (ctx) => {
    const id = idOf(ctx);
    const workflow = await asUser(ctx.state.deps.db, ctx.state.user!.id, (tx) => findWorkflow(tx, id));
    if (!workflow) throw notFound("Workflow");
    return rotateWebhookSecret(workflow);
  },
  "delete-dashboard": async (ctx) =>
    deleteDashboard((await getDashboard(ctx.state.deps, ctx.state.user!.id, idOf(ctx))).dashboard),
  "delete-workflow": async (ctx) => deleteWorkflow(await getWorkflow(ctx.state.deps, ctx.state.user!.id, idOf(ctx))),
  "remove-widget": async (ctx) => {
    const id = idOf(ctx);
    const widget = await asUser(ctx.state.deps.db, ctx.state.user!.id, (tx) => findWidget(tx, id));
    if (!widget) throw notFound("Widget");
    return removeWidget({ id, dashboardId: widget.dashboardId, title: widget.title || widget.type });
  },
};

/** The live share link in `?id=`, as the caller sees it, or a 404. */
async function liveShare(ctx: FreshContext<PageState>) {
  const id = idOf(ctx);
  const link = await asUser(ctx.state.deps.db, ctx.state.user!.id, (tx) => findLiveShareLink(tx, id));
  if (!link) throw notFound("Share link");
  return link;
}
