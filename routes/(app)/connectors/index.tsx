/** Connectors: the list, and a form per type to add one. Works without JavaScript. */
import type { FreshContext, PageProps } from "../../../lib/fresh/mod.ts";
import type { PageState } from "../../../lib/app.ts";
import { createConnector, listConnectorsOf } from "../../../functions/connectors.ts";
import type { ConnectorRow } from "../../../db/queries/connectors.ts";
import { CONNECTOR_TYPE_NAMES, CONNECTOR_TYPES, type ConnectorTypeName } from "../../../connectors/registry.ts";
import { connectorInputFromForm, fieldLabels, FORM_FIELDS } from "../../../components/connector_form.ts";
import { renderFormError } from "../../../components/auth_form.ts";
import { EmptyState } from "../../../components/EmptyState.tsx";
import { addSampleData } from "../../../functions/sample_data.ts";
import { StatusBadge } from "../../../components/StatusBadge.tsx";
import ConnectorTypeTabs from "../../../islands/ConnectorTypeTabs.tsx";

const NAME_PLACEHOLDER: Record<ConnectorTypeName, string> = {
  postgres: "Sales database",
  http_json: "Orders API",
  csv: "Seattle weather",
  supabase: "App users",
};

interface Data {
  connectors: ConnectorRow[];
  type: ConnectorTypeName;
  error?: string;
  values?: Record<string, string>;
}

function chosenType(url: URL, form?: FormData): ConnectorTypeName {
  const type = String(form?.get("type") ?? url.searchParams.get("type") ?? "postgres");
  return (CONNECTOR_TYPE_NAMES as string[]).includes(type) ? type as ConnectorTypeName : "postgres";
}

async function load(ctx: FreshContext<PageState>, extra: Partial<Data> = {}): Promise<Data> {
  const connectors = await listConnectorsOf(ctx.state.deps, ctx.state.user!.id, { limit: 100 });
  const url = new URL(ctx.req.url);
  // A type tab carries the name typed under another type (?name=), so switching keeps it.
  const name = url.searchParams.get("name")?.slice(0, 100);
  return { connectors, type: chosenType(url), ...(name ? { values: { name } } : {}), ...extra };
}

export const handler = {
  GET: (ctx: FreshContext<PageState>) => load(ctx),
  async POST(ctx: FreshContext<PageState>) {
    const form = await ctx.req.formData();
    if (form.get("action") === "sample") {
      const id = await addSampleData(ctx.state.deps, ctx.state.user!.id, ctx.state.meta);
      // The chat's notice follows this connector's sync until it is ready.
      return ctx.redirect(`/chat?sample=${id}`);
    }
    try {
      const created = await createConnector(
        ctx.state.deps,
        ctx.state.user!.id,
        connectorInputFromForm(form),
        ctx.state.meta,
      );
      return ctx.redirect(`/connectors/${created.id}`);
    } catch (error) {
      // Secrets are not echoed back into the form.
      const values = Object.fromEntries(
        [...form.entries()].filter(([k]) => !["password", "auth_value", "key"].includes(k)).map((
          [k, v],
        ) => [k, String(v)]),
      );
      return await renderFormError(
        ctx,
        error,
        (message) => load(ctx, { error: message, values, type: chosenType(new URL(ctx.req.url), form) }),
        fieldLabels(chosenType(new URL(ctx.req.url), form)),
      );
    }
  },
};

export default function Connectors({ data }: PageProps<Data>) {
  const fields = FORM_FIELDS[data.type];
  return (
    <section class="section">
      <header class="section-header">
        <div>
          <h1>Connectors</h1>
          <p class="muted">The databases, APIs and files your workspace reads.</p>
        </div>
      </header>
      {data.connectors.length === 0
        ? (
          <EmptyState icon="connectors" title="No connectors yet">
            Connect Postgres, a REST/JSON API, a CSV file or Supabase below. Credentials are encrypted and never shown
            again.
          </EmptyState>
        )
        : (
          <ul class="card item-list" aria-label="Connectors">
            {data.connectors.map((c) => (
              <li>
                <a class="item-name" href={`/connectors/${c.id}`}>{c.name}</a>
                <span class="muted small">{CONNECTOR_TYPES[c.type as ConnectorTypeName]?.label ?? c.type}</span>
                <StatusBadge status={c.status} />
              </li>
            ))}
          </ul>
        )}
      <div class="card" id="new">
        <h2>Add a connector</h2>
        <ConnectorTypeTabs
          tabs={CONNECTOR_TYPE_NAMES.map((type) => ({ type, label: CONNECTOR_TYPES[type].label }))}
          current={data.type}
          name={data.values?.name ?? ""}
        />
        {data.error && <p class="alert" role="alert">{data.error}</p>}
        {/* An explicit action: without one the tab's #new would follow the redirect to the new connector. */}
        <form method="post" action={`/connectors?type=${data.type}`} class="form form-grid">
          <input type="hidden" name="type" value={data.type} />
          <label>
            Name
            <input
              type="text"
              name="name"
              required
              maxLength={100}
              value={data.values?.name ?? ""}
              placeholder={NAME_PLACEHOLDER[data.type]}
            />
          </label>
          {fields.map((f) => (
            <label>
              {f.label}
              {f.type === "select"
                ? (
                  <select name={f.name}>
                    {f.options!.map((o) => <option key={o} value={o} selected={data.values?.[f.name] === o}>{o}
                    </option>)}
                  </select>
                )
                : (
                  <input
                    type={f.secret ? "password" : f.type === "number" ? "number" : "text"}
                    name={f.name}
                    required={f.required}
                    placeholder={f.placeholder}
                    autocomplete={f.secret ? "new-password" : "off"}
                    value={f.secret ? "" : data.values?.[f.name] ?? ""}
                  />
                )}
            </label>
          ))}
          <div>
            <button type="submit" class="button primary" data-busy-label="Saving…">Save connector</button>
          </div>
        </form>
      </div>
    </section>
  );
}
