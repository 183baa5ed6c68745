/**
 * The new-connector form, one field set per type, turned into the API's create body. Secret
 * fields are password inputs, never pre-filled; they go to `credentials`, where they are sealed.
 */
import type { ConnectorInput } from "../functions/connectors.ts";
import type { ConnectorTypeName } from "../connectors/registry.ts";

export interface Field {
  name: string;
  label: string;
  placeholder?: string;
  secret?: boolean;
  required?: boolean;
  type?: "number" | "select";
  options?: string[];
  hint?: string;
}

const schedule: Field = { name: "schedule", label: "Schedule (cron, UTC)", placeholder: "0 * * * * (hourly)" };
const tables: Field = { name: "tables", label: "Tables", placeholder: "orders, analytics.events (all when empty)" };

export const FORM_FIELDS: Record<ConnectorTypeName, Field[]> = {
  postgres: [
    { name: "host", label: "Host", placeholder: "db.example.com", required: true },
    { name: "port", label: "Port", placeholder: "5432", type: "number" },
    { name: "database", label: "Database", placeholder: "analytics", required: true },
    { name: "user", label: "User", placeholder: "readonly", required: true },
    { name: "password", label: "Password", secret: true },
    { name: "ssl", label: "TLS", type: "select", options: ["require", "disable"] },
    tables,
    schedule,
  ],
  http_json: [
    { name: "url", label: "URL", placeholder: "https://api.example.com/v1/orders", required: true },
    { name: "records_path", label: "Records path", placeholder: "data.items (empty: the top level)" },
    { name: "pagination", label: "Pagination", type: "select", options: ["none", "page", "cursor", "next_url"] },
    { name: "page_param", label: "Page or cursor parameter", placeholder: "page" },
    { name: "next_path", label: "Cursor or next-URL path", placeholder: "meta.next" },
    { name: "auth_header", label: "Secret header name", placeholder: "Authorization" },
    { name: "auth_value", label: "Secret header value", secret: true, placeholder: "Bearer …" },
    schedule,
  ],
  csv: [
    { name: "url", label: "URL (or upload a file after saving)", placeholder: "https://example.com/data.csv" },
    schedule,
  ],
  supabase: [
    { name: "url", label: "Project URL", placeholder: "https://xyz.supabase.co", required: true },
    { name: "key", label: "API key", secret: true, required: true },
    tables,
    schedule,
  ],
};

/** The create body from a submitted form. Validation is the API's: this only arranges fields. */
export function connectorInputFromForm(form: FormData): ConnectorInput {
  const get = (name: string) => String(form.get(name) ?? "").trim();
  const type = get("type") as ConnectorTypeName;
  const list = (name: string) => get(name) ? get(name).split(",").map((s) => s.trim()).filter(Boolean) : undefined;
  const optional = (name: string) => get(name) || undefined;
  const config: Record<string, unknown> = { schedule: optional("schedule") };
  const credentials: Record<string, unknown> = {};
  if (type === "postgres") {
    Object.assign(config, {
      host: get("host"),
      port: get("port") ? Number(get("port")) : undefined,
      database: get("database"),
      user: get("user"),
      ssl: optional("ssl"),
      tables: list("tables"),
    });
    if (get("password")) credentials.password = get("password");
  } else if (type === "http_json") {
    const pagination = get("pagination");
    Object.assign(config, {
      url: get("url"),
      records_path: get("records_path"),
      pagination: pagination === "page"
        ? { type: "page", param: get("page_param") || "page" }
        : pagination === "cursor"
        ? { type: "cursor", param: get("page_param") || "cursor", cursor_path: get("next_path") }
        : pagination === "next_url"
        ? { type: "next_url", next_path: get("next_path") }
        : undefined,
    });
    if (get("auth_header")) credentials.headers = { [get("auth_header")]: get("auth_value") };
  } else if (type === "csv") {
    config.url = optional("url");
  } else if (type === "supabase") {
    Object.assign(config, { url: get("url"), tables: list("tables") });
    credentials.key = get("key");
  }
  for (const key of Object.keys(config)) if (config[key] === undefined) delete config[key];
  return { name: get("name"), type, config, credentials: Object.keys(credentials).length ? credentials : undefined };
}

/** Each field's label by its API path (`config.url`, `credentials.password`), for error sentences. */
export const FIELD_LABELS: Record<string, string> = {
  name: "Name",
  ...Object.fromEntries(
    Object.values(FORM_FIELDS).flat().map((f) => [`${f.secret ? "credentials" : "config"}.${f.name}`, f.label]),
  ),
  "config.pagination": "Pagination",
  "config.next_path": "Cursor or next-URL path",
  "credentials.headers": "Secret header",
};
