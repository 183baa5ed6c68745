/** The REST API: every /api router, its OpenAPI document and a reference page. */
import type { AppDeps } from "../../lib/deps.ts";
import { apiRouter } from "../../lib/http/api_router.ts";
import { authRoutes } from "./auth.ts";
import { meRoutes } from "./me.ts";
import { tokenRoutes } from "./tokens.ts";
import { connectorRoutes } from "./connectors.ts";
import { queryRoutes } from "./query.ts";
import { chatRoutes } from "./chat.ts";
import { artifactRoutes } from "./artifacts.ts";
import { llmSettingsRoutes } from "./llm_settings.ts";
import { dashboardRoutes } from "./dashboards.ts";
import { widgetRoutes } from "./widgets.ts";
import { publicShareRoutes, shareRoutes } from "./shares.ts";
import { workflowRoutes } from "./workflows.ts";
import { executionRoutes } from "./executions.ts";
import { renderApiReference } from "../../components/ApiReference.tsx";

const INFO = {
  title: "AI workspace API",
  version: "1.0.0",
  description: "JSON in and out. Authenticate with the session cookie, or send an API token as Authorization: Bearer.",
};

/** The /api app. */
export function createApi(deps: AppDeps) {
  const api = apiRouter();
  api.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
  api.openAPIRegistry.registerComponent("securitySchemes", "cookie", { type: "apiKey", in: "cookie", name: "session" });
  api.route("/auth", authRoutes(deps));
  api.route("/me", meRoutes(deps));
  api.route("/tokens", tokenRoutes(deps));
  api.route("/connectors", connectorRoutes(deps));
  api.route("/query", queryRoutes(deps));
  api.route("/chat", chatRoutes(deps));
  api.route("/artifacts", artifactRoutes(deps));
  api.route("/settings/llm", llmSettingsRoutes(deps));
  api.route("/dashboards", dashboardRoutes(deps));
  api.route("/widgets", widgetRoutes(deps));
  api.route("/shares", shareRoutes(deps));
  api.route("/share", publicShareRoutes(deps));
  api.route("/workflows", workflowRoutes(deps));
  api.route("/executions", executionRoutes(deps));
  api.doc31("/openapi.json", { openapi: "3.1.0", info: INFO, servers: [{ url: "/api" }] });
  let referenceHtml: string | undefined;
  api.get("/docs", (c) => {
    referenceHtml ??= renderApiReference(api.getOpenAPI31Document({ openapi: "3.1.0", info: INFO }));
    return c.html(referenceHtml);
  });
  return api;
}
