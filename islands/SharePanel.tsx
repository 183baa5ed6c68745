/**
 * The Share panel: a dashboard's public links with their settings, and make, copy, rotate or
 * revoke one. Talks to /api/shares; every refusal is shown as the server's sentence.
 */
import { useSignal } from "@preact/signals";
import { BusyButton } from "../components/BusyButton.tsx";

export interface ShareLinkProps {
  id: string;
  label: string;
  url: string | null;
  expires_at: string | null;
  locked_filters: Record<string, string>;
  allow_downloads: boolean;
  allow_embed: boolean;
  view_count: number;
  last_viewed_at: string | null;
}

async function send(url: string, init: RequestInit): Promise<unknown> {
  const res = await fetch(url, { ...init, headers: { "content-type": "application/json" } });
  if (res.status === 204) return undefined;
  const body = await res.json().catch(() => undefined) as { error?: { message?: string } } | undefined;
  if (!res.ok) throw new Error(body?.error?.message ?? `The server answered ${res.status}: try again`);
  return body;
}

export default function SharePanel(props: {
  dashboardId: string;
  links: ShareLinkProps[];
  filters: { id: string; label: string }[];
}) {
  const links = useSignal(props.links);
  const error = useSignal<string | null>(null);
  const copied = useSignal<string | null>(null);
  const busy = useSignal(false);
  /** The request on its way ("create", or "rotate:<id>", "revoke:<id>"), so its button shows it. */
  const working = useSignal<string | null>(null);

  async function act(work: () => Promise<void>, what?: string) {
    busy.value = true;
    working.value = what ?? null;
    error.value = null;
    try {
      await work();
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e);
    } finally {
      busy.value = false;
      working.value = null;
    }
  }

  function create(event: Event) {
    event.preventDefault();
    if (busy.value) return; // Enter in a field while the last request is on its way
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const locked: Record<string, string> = {};
    for (const f of props.filters) {
      const value = String(form.get(`lock.${f.id}`) ?? "").trim();
      if (value) locked[f.id] = value;
    }
    const expires = String(form.get("expires") ?? "");
    return act(async () => {
      const link = await send(`/api/dashboards/${props.dashboardId}/shares`, {
        method: "POST",
        body: JSON.stringify({
          label: String(form.get("label") ?? ""),
          ...(expires ? { expires_at: new Date(`${expires}T23:59:59`).toISOString() } : {}),
          locked_filters: locked,
          allow_downloads: form.get("downloads") === "on",
          allow_embed: form.get("embed") === "on",
        }),
      }) as ShareLinkProps;
      links.value = [link, ...links.value];
      (event.target as HTMLFormElement).reset();
    }, "create");
  }

  const rotate = (id: string) =>
    confirm("Rotate this link? Anyone using the current URL loses access at once.") &&
    act(async () => {
      const link = await send(`/api/shares/${id}/rotate`, { method: "POST" }) as ShareLinkProps;
      links.value = links.value.map((l) => l.id === id ? link : l);
    }, `rotate:${id}`);
  const revoke = (id: string) =>
    confirm("Revoke this link? It stops working at once and cannot be restored.") &&
    act(async () => {
      await send(`/api/shares/${id}`, { method: "DELETE" });
      links.value = links.value.filter((l) => l.id !== id);
    }, `revoke:${id}`);
  const copy = (link: ShareLinkProps) =>
    act(async () => {
      if (!link.url) throw new Error("This link's URL cannot be shown: rotate it to get a new one");
      await navigator.clipboard.writeText(link.url);
      copied.value = link.id;
    });

  return (
    <section class="card share-panel" aria-labelledby="share-title">
      <h2 id="share-title">Share</h2>
      {error.value && <p class="alert" role="alert">{error.value}</p>}
      {links.value.length === 0
        ? <p class="muted">No public links yet. Anyone with a link sees this dashboard read-only.</p>
        : (
          <ul class="share-links">
            {links.value.map((l) => (
              <li key={l.id} class="share-link">
                <div>
                  <strong>{l.label || "Untitled link"}</strong>
                  <p class="muted small">
                    {l.expires_at ? `Expires ${l.expires_at.slice(0, 10)}` : "No expiry"} ·{" "}
                    {l.allow_downloads ? "downloads on" : "downloads off"} ·{" "}
                    {l.allow_embed ? "embeddable" : "no embedding"}
                    {Object.keys(l.locked_filters).length > 0 &&
                      ` · locked: ${Object.entries(l.locked_filters).map(([k, v]) => `${k} = ${v}`).join(", ")}`}
                    {` · ${l.view_count} view${l.view_count === 1 ? "" : "s"}`}
                  </p>
                  {l.url && <input class="share-url" readOnly value={l.url} aria-label="Link URL" />}
                </div>
                <div class="actions">
                  <button type="button" class="button small" disabled={busy.value} onClick={() => copy(l)}>
                    {copied.value === l.id ? "Copied" : "Copy"}
                  </button>
                  <BusyButton
                    class="button small"
                    disabled={busy.value}
                    busy={working.value === `rotate:${l.id}`}
                    busyLabel="Rotating…"
                    onClick={() => rotate(l.id)}
                  >
                    Rotate
                  </BusyButton>
                  <BusyButton
                    class="button small danger"
                    disabled={busy.value}
                    busy={working.value === `revoke:${l.id}`}
                    busyLabel="Revoking…"
                    onClick={() => revoke(l.id)}
                  >
                    Revoke
                  </BusyButton>
                </div>
              </li>
            ))}
          </ul>
        )}
      <form class="form form-grid" onSubmit={create}>
        <label>
          Label <input type="text" name="label" maxLength={200} placeholder="Customer A" />
        </label>
        <label>
          Expires <input type="date" name="expires" />
        </label>
        {props.filters.map((f) => (
          <label key={f.id}>
            Lock {f.label} <input type="text" name={`lock.${f.id}`} maxLength={200} placeholder="Any" />
          </label>
        ))}
        <label class="check">
          <input type="checkbox" name="downloads" /> Allow downloads
        </label>
        <label class="check">
          <input type="checkbox" name="embed" /> Allow embedding on other sites
        </label>
        <div>
          <BusyButton
            type="submit"
            class="button primary"
            disabled={busy.value}
            busy={working.value === "create"}
            busyLabel="Creating link…"
          >
            Create link
          </BusyButton>
        </div>
      </form>
    </section>
  );
}
