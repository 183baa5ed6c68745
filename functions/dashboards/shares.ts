/**
 * Share links: several a dashboard, each with a label, an optional expiry, locked filter values,
 * and switches for downloads and embedding. A token is 32 random bytes (256 bits, base64url);
 * the database keeps its SHA-256 hash for lookups and, so the owner can copy the URL again, the
 * token sealed with the vault (AES-GCM bound to the link's id) like connector credentials.
 * Rotating replaces hash and seal in one statement, so the old URL dies at once; revoking sets
 * `revoked_at`. Every change is audited, never with the token in it.
 */
import type { AppDeps, RequestMeta } from "../../lib/deps.ts";
import { ApiError, notFound } from "../../lib/http/errors.ts";
import { vaultFor } from "../../lib/crypto/vault.ts";
import { hashToken, newToken } from "../../lib/auth/secret_tokens.ts";
import { asUser } from "../../db/rls.ts";
import { changingShares, flushShareViews } from "./share_view.ts";
import type { Db } from "../../db/client.ts";
import { recordAudit } from "../../db/queries/audit.ts";
import {
  findDashboard,
  findLiveShareLink,
  insertShareLink,
  listShareLinks,
  type ShareLinkRow,
  updateShareLink,
} from "../../db/queries/dashboards.ts";
import type { DashboardFilter, ShareInput, SharePatch } from "./schemas.ts";
import { checkValues } from "./filters.ts";

/** A link as the API shows it: with its URL, opened from the seal. */
export interface ShareLinkView {
  row: ShareLinkRow;
  url: string | null;
}

/** The public URL of a token on `origin`. */
export function shareUrl(origin: string, token: string): string {
  return `${origin.replace(/\/$/, "")}/share/${token}`;
}

async function sealed(deps: AppDeps, workspaceId: string, id: string) {
  const token = newToken();
  const seal = await vaultFor(deps.config).seal(workspaceId, id, token);
  return { token, tokenHash: await hashToken(token), tokenCiphertext: seal.ciphertext, tokenKeyId: seal.keyId };
}

/** The link's URL from its seal; null when the seal cannot be opened (a secret was dropped). */
export async function openUrl(deps: AppDeps, row: ShareLinkRow, origin: string): Promise<string | null> {
  if (!row.tokenCiphertext || !row.tokenKeyId) return null;
  try {
    const token = await vaultFor(deps.config).open<string>(row.workspaceId, row.id, {
      ciphertext: row.tokenCiphertext as Uint8Array<ArrayBuffer>,
      keyId: row.tokenKeyId,
    });
    return shareUrl(origin, token);
  } catch {
    return null;
  }
}

function expiry(value: string | null | undefined, now: Date): Date | null | undefined {
  if (value === undefined || value === null) return value;
  const at = new Date(value);
  if (at.getTime() <= now.getTime()) {
    throw new ApiError(400, "invalid_request", "Invalid request: expires_at: the expiry must be in the future");
  }
  return at;
}

async function writable(tx: Db, dashboardId: string) {
  const dashboard = await findDashboard(tx, dashboardId);
  if (!dashboard) throw notFound("Dashboard");
  return dashboard;
}

function forbidden(): ApiError {
  return new ApiError(403, "forbidden", "You can read this dashboard but not share it");
}

export async function createShareLink(
  deps: AppDeps,
  userId: string,
  dashboardId: string,
  input: ShareInput,
  meta: RequestMeta,
  origin: string,
): Promise<ShareLinkView> {
  return await asUser(deps.db, userId, async (tx) => {
    const dashboard = await writable(tx, dashboardId);
    const filters = dashboard.filters as DashboardFilter[];
    const locked = input.locked_filters ?? {};
    for (const id of Object.keys(locked)) {
      if (!filters.some((f) => f.id === id)) {
        throw new ApiError(
          400,
          "invalid_request",
          `Invalid request: locked_filters: the dashboard has no filter "${id}"`,
        );
      }
    }
    checkValues(filters, locked);
    const id = crypto.randomUUID();
    const secret = await sealed(deps, dashboard.workspaceId, id);
    let row: ShareLinkRow;
    try {
      row = await insertShareLink(tx, {
        id,
        workspaceId: dashboard.workspaceId,
        dashboardId,
        label: input.label ?? "",
        tokenHash: secret.tokenHash,
        tokenCiphertext: secret.tokenCiphertext,
        tokenKeyId: secret.tokenKeyId,
        lockedFilters: locked,
        allowDownloads: input.allow_downloads ?? false,
        allowEmbed: input.allow_embed ?? false,
        expiresAt: expiry(input.expires_at, deps.now()) ?? null,
        createdBy: userId,
      });
    } catch (error) {
      if ((error as { code?: string }).code === "42501" || String(error).includes("row-level security")) {
        throw forbidden();
      }
      throw error;
    }
    await recordAudit(tx, {
      action: "share.create",
      userId,
      workspaceId: row.workspaceId,
      targetType: "share_link",
      targetId: row.id,
      details: { dashboard_id: dashboardId, locked_filters: Object.keys(locked), expires_at: input.expires_at ?? null },
    }, meta);
    return { row, url: shareUrl(origin, secret.token) };
  });
}

/** The workspace's live links (not revoked), newest first, each with its URL. */
export async function listShareLinksOf(
  deps: AppDeps,
  userId: string,
  filter: { dashboardId?: string; workspaceId?: string; limit: number },
  origin: string,
): Promise<ShareLinkView[]> {
  await flushShareViews(deps);
  const rows = await asUser(deps.db, userId, (tx) => listShareLinks(tx, filter));
  return await Promise.all(rows.map(async (row) => ({ row, url: await openUrl(deps, row, origin) })));
}

export async function changeShareLink(
  deps: AppDeps,
  userId: string,
  id: string,
  patch: SharePatch,
  meta: RequestMeta,
  origin: string,
): Promise<ShareLinkView> {
  return await changingShares(() =>
    asUser(deps.db, userId, async (tx) => {
      if (!await findLiveShareLink(tx, id)) throw notFound("Share link");
      const row = await updateShareLink(tx, id, {
        label: patch.label,
        expiresAt: expiry(patch.expires_at, deps.now()),
        allowDownloads: patch.allow_downloads,
        allowEmbed: patch.allow_embed,
      });
      if (!row) throw forbidden();
      await recordAudit(tx, {
        action: "share.update",
        userId,
        workspaceId: row.workspaceId,
        targetType: "share_link",
        targetId: id,
        details: { fields: Object.keys(patch), ...patch },
      }, meta);
      return { row, url: await openUrl(deps, row, origin) };
    })
  );
}

/** A new token for the link; the old URL is refused from this commit on. */
export async function rotateShareLink(
  deps: AppDeps,
  userId: string,
  id: string,
  meta: RequestMeta,
  origin: string,
): Promise<ShareLinkView> {
  return await changingShares(() =>
    asUser(deps.db, userId, async (tx) => {
      const current = await findLiveShareLink(tx, id);
      if (!current) throw notFound("Share link");
      const secret = await sealed(deps, current.workspaceId, id);
      const row = await updateShareLink(tx, id, {
        tokenHash: secret.tokenHash,
        tokenCiphertext: secret.tokenCiphertext,
        tokenKeyId: secret.tokenKeyId,
      });
      if (!row) throw forbidden();
      await recordAudit(tx, {
        action: "share.rotate",
        userId,
        workspaceId: row.workspaceId,
        targetType: "share_link",
        targetId: id,
      }, meta);
      return { row, url: shareUrl(origin, secret.token) };
    })
  );
}

/** Revokes the link at once; its seal is dropped, so the token cannot be recovered. */
export async function revokeShareLink(deps: AppDeps, userId: string, id: string, meta: RequestMeta): Promise<void> {
  await changingShares(() =>
    asUser(deps.db, userId, async (tx) => {
      if (!await findLiveShareLink(tx, id)) throw notFound("Share link");
      const row = await updateShareLink(tx, id, { revokedAt: deps.now(), tokenCiphertext: null, tokenKeyId: null });
      if (!row) throw forbidden();
      await recordAudit(tx, {
        action: "share.revoke",
        userId,
        workspaceId: row.workspaceId,
        targetType: "share_link",
        targetId: id,
      }, meta);
    })
  );
}
