/** /api/tokens: API tokens for `Authorization: Bearer`. The secret is shown once, on creation. */
import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../../lib/deps.ts";
import {
  apiRouter,
  decodeCursor,
  errorResponses,
  ErrorSchema,
  jsonContent,
  keysetPage,
  pageOf,
  PageQuery,
  signedInRoute,
} from "../../lib/http/api_router.ts";
import { requestMeta } from "../../lib/http/env.ts";
import { createApiToken, listTokens, revokeToken } from "../../functions/api_tokens.ts";
import type { TokenInfo } from "../../db/queries/api_tokens.ts";
import { IdParam, TokenBody, TokenSchema } from "./schemas.ts";

const route = signedInRoute("Tokens");

const createTokenRoute = createRoute({
  ...route("post", "/", "Create an API token (the secret is in this response only)"),
  request: { body: { content: jsonContent(TokenBody), required: true } },
  responses: {
    201: {
      description: "Created",
      content: jsonContent(z.object({ id: z.uuid(), name: z.string(), token: z.string() })),
    },
    ...errorResponses,
  },
});

const listTokensRoute = createRoute({
  ...route("get", "/", "List your live API tokens"),
  request: { query: PageQuery },
  responses: {
    200: {
      description: "One page",
      content: jsonContent(pageOf(TokenSchema)),
    },
    ...errorResponses,
  },
});

const deleteTokenRoute = createRoute({
  ...route("delete", "/{id}", "Revoke an API token"),
  request: { params: IdParam },
  responses: {
    204: { description: "Revoked" },
    404: { description: "No such token", content: jsonContent(ErrorSchema) },
    ...errorResponses,
  },
});

function toJson(t: TokenInfo) {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    created_at: t.createdAt.toISOString(),
    last_used_at: t.lastUsedAt?.toISOString() ?? null,
  };
}

/** The token routes. */
export function tokenRoutes(deps: AppDeps) {
  const app = apiRouter();
  app.openapi(createTokenRoute, async (c) => {
    const { name } = c.req.valid("json");
    const created = await createApiToken(deps, c.get("user").user.id, name, requestMeta(c));
    return c.json({ id: created.id, name: created.name, token: created.token }, 201);
  });
  app.openapi(listTokensRoute, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    const rows = await listTokens(deps, c.get("user").user.id, { limit: limit + 1, after: decodeCursor(cursor) });
    return c.json(keysetPage(rows, limit, toJson, (r) => ({ at: r.createdAt, id: r.id })), 200);
  });
  app.openapi(deleteTokenRoute, async (c) => {
    await revokeToken(deps, c.get("user").user.id, c.req.valid("param").id, requestMeta(c));
    return c.body(null, 204);
  });
  return app;
}
