/**
 * The Share panel: a dashboard's public links with their settings, and make, copy, rotate or
 * revoke one. Making one talks to /api/shares; rotating and revoking ask first in the app's own
 * confirmation dialog (ConfirmButton), whose form posts to /dashboards/:id/shares. Dates are the
 * viewer's: a link chosen to expire on 31 December expires at the end of that day where they are,
 * and is listed as expiring on 31 December.
 */
import { useSignal } from "@preact/signals";
import ConfirmButton from "./ConfirmButton.tsx";
import { revokeShare, rotateShare } from "../components/confirm_builders_share.ts";
import { formMessage } from "../components/form_errors.ts";
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

/** A dashboard filter as the panel offers it for locking. */
export interface ShareFilter {
  id: string;
  label: string;
  type: "select" | "date_range" | "number_range";
}

async function send(url: string, init: RequestInit): Promise<unknown> {
  const res = await fetch(url, { ...init, headers: { "content-type": "application/json" } });
  if (res.status === 204) return undefined;
  const body = await res.json().catch(() => undefined) as { error?: { message?: string } } | undefined;
  if (!res.ok) throw new Error(body?.error?.message ?? `The server answered ${res.status}: try again`);
  return body;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** A moment's calendar day where the viewer is, as a date input writes it: "2026-12-31". */
export function localDay(at: Date): string {
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}

/** The last second of a date input's day where the viewer is, as an ISO instant. */
export function endOfLocalDay(day: string): string {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(y, m - 1, d, 23, 59, 59).toISOString();
}

/** A locked value as a sentence's words: "rain", "2024-01-01 to 2024-03-31", "from 10". */
function lockedText(value: string): string {
  const at = value.indexOf("..");
  if (at < 0) return value;
  const [from, to] = [value.slice(0, at), value.slice(at + 2)];
  return from && to ? `${from} to ${to}` : from ? `from ${from}` : `up to ${to}`;
}

export default function SharePanel(props: {
  dashboardId: string;
  links: ShareLinkProps[];
  filters: ShareFilter[];
  /** The values each select filter offers (as on the dashboard's own filter form). */
  options?: Record<string, string[]>;
}) {
  const links = useSignal(props.links);
  const error = useSignal<string | null>(null);
  const expiresError = useSignal<string | null>(null);
  // The URL copied last: a rotated link has a new URL, so its button says "Copy" again.
  const copied = useSignal<string | null>(null);
  const busy = useSignal(false);
  const labelOf = (id: string) => props.filters.find((f) => f.id === id)?.label ?? id;
  /** The request on its way ("create", or "rotate:<id>", "revoke:<id>"), so its button shows it. */
  const working = useSignal<string | null>(null);

  async function act(work: () => Promise<void>, what?: string) {
    busy.value = true;
    working.value = what ?? null;
    error.value = null;
    try {
      await work();
    } catch (e) {
      error.value = formMessage(e instanceof Error ? e.message : String(e), {
        expires_at: "Expires",
        locked_filters: "Locked filters",
        label: "Label",
      });
    } finally {
      busy.value = false;
      working.value = null;
    }
  }

  function create(event: Event) {
    event.preventDefault();
    if (busy.value) return; // Enter in a field while the last request is on its way
    const formEl = event.currentTarget as HTMLFormElement;
    const form = new FormData(formEl);
    const locked: Record<string, string> = {};
    for (const f of props.filters) {
      if (f.type === "select") {
        const value = String(form.get(`lock.${f.id}`) ?? "").trim();
        if (value) locked[f.id] = value;
      } else {
        const from = String(form.get(`lock.${f.id}.from`) ?? "").trim();
        const to = String(form.get(`lock.${f.id}.to`) ?? "").trim();
        if (from || to) locked[f.id] = `${from}..${to}`;
      }
    }
    const expires = String(form.get("expires") ?? "");
    expiresError.value = expires && expires < localDay(new Date())
      ? "Choose today or a later day: a link cannot expire in the past."
      : null;
    if (expiresError.value) {
      formEl.querySelector<HTMLInputElement>("input[name=expires]")?.focus();
      return;
    }
    return act(async () => {
      const link = await send(`/api/dashboards/${props.dashboardId}/shares`, {
        method: "POST",
        body: JSON.stringify({
          label: String(form.get("label") ?? ""),
          ...(expires ? { expires_at: endOfLocalDay(expires) } : {}),
          locked_filters: locked,
          allow_downloads: form.get("downloads") === "on",
          allow_embed: form.get("embed") === "on",
        }),
      }) as ShareLinkProps;
      links.value = [link, ...links.value];
      formEl.reset();
    }, "create");
  }

  const copy = (link: ShareLinkProps) =>
    act(async () => {
      if (!link.url) throw new Error("This link's URL cannot be shown: rotate it to get a new one");
      await navigator.clipboard.writeText(link.url);
      copied.value = link.url;
    });

  return (
    <section class="card share-panel" aria-labelledby="share-title">
      <h2 id="share-title">Share</h2>
      {error.value && <p class="alert" role="alert">{error.value}</p>}
      {links.value.length === 0
        ? <p class="muted">No public links yet. Anyone with a link sees this dashboard read-only.</p>
        : (
          <ul class="share-links">
            {links.value.map((l) => {
              const expires = l.expires_at ? new Date(l.expires_at) : null;
              const which = { id: l.id, dashboardId: props.dashboardId, label: l.label };
              return (
                <li key={l.id} class="share-link">
                  <div>
                    <strong>{l.label || "Untitled link"}</strong>
                    <p class="muted small share-summary">
                      {expires
                        ? (
                          <>
                            Expires at the end of{" "}
                            <time datetime={l.expires_at!} title={expires.toLocaleString()}>{localDay(expires)}</time>
                          </>
                        )
                        : "No expiry"} · {l.allow_downloads ? "downloads on" : "downloads off"} ·{" "}
                      {l.allow_embed ? "embeddable" : "no embedding"}
                      {Object.keys(l.locked_filters).length > 0 &&
                        ` · locked: ${
                          Object.entries(l.locked_filters).map(([k, v]) => `${labelOf(k)} = ${lockedText(v)}`).join(
                            ", ",
                          )
                        }`}
                      {` · ${l.view_count} view${l.view_count === 1 ? "" : "s"}`}
                    </p>
                    {l.url && <input class="share-url" readOnly value={l.url} aria-label="Link URL" />}
                  </div>
                  <div class="button-row share-actions">
                    <button type="button" class="button small" disabled={busy.value} onClick={() => copy(l)}>
                      {l.url && copied.value === l.url ? "Copied" : "Copy"}
                    </button>
                    <ConfirmButton label="Rotate" class="button small" confirmation={rotateShare(which)} />
                    <ConfirmButton label="Revoke" class="button small danger" confirmation={revokeShare(which)} />
                  </div>
                </li>
              );
            })}
          </ul>
        )}
      <form class="form form-grid share-form" onSubmit={create} noValidate>
        <label>
          Label <input type="text" name="label" maxLength={200} placeholder="Customer A" />
        </label>
        <label>
          Expires (end of the day)
          <input
            type="date"
            name="expires"
            aria-invalid={expiresError.value ? "true" : undefined}
            aria-describedby={expiresError.value ? "share-expires-error" : undefined}
            onInput={() => expiresError.value = null}
          />
          {expiresError.value && (
            <span id="share-expires-error" class="field-error" role="alert">{expiresError.value}</span>
          )}
        </label>
        {props.filters.map((f) => <LockField key={f.id} filter={f} options={props.options?.[f.id] ?? []} />)}
        <div class="share-checks form-wide">
          <label class="check">
            <input type="checkbox" name="downloads" /> Allow downloads
          </label>
          <label class="check">
            <input type="checkbox" name="embed" /> Allow embedding on other sites
          </label>
        </div>
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

/** A filter to lock, offered as the dashboard's filter form offers it: its values, or a range. */
function LockField(props: { filter: ShareFilter; options: string[] }) {
  const f = props.filter;
  if (f.type === "select") {
    return (
      <label>
        Lock {f.label}
        <select name={`lock.${f.id}`}>
          <option value="">Not locked</option>
          {props.options.map((o) => <option key={o} value={o}>{o}</option>)}
        </select>
      </label>
    );
  }
  const type = f.type === "date_range" ? "date" : "number";
  return (
    <fieldset class="lock-range">
      <legend>Lock {f.label}</legend>
      <input type={type} name={`lock.${f.id}.from`} aria-label={`${f.label} from`} step="any" />
      <span aria-hidden="true">–</span>
      <input type={type} name={`lock.${f.id}.to`} aria-label={`${f.label} to`} step="any" />
    </fieldset>
  );
}
