/** GET /api/me: the caller and their workspaces. */
import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../../lib/deps.ts";
import { apiRouter, errorResponses, requireUser, SIGNED_IN } from "../../lib/http/api_router.ts";
import { asUser } from "../../db/rls.ts";
import { listWorkspacesOf } from "../../db/queries/users.ts";
import { MembershipSchema, UserSchema } from "./schemas.ts";

const meRoute = createRoute({
  method: "get",
  path: "/",
  tags: ["Auth"],
  summary: "The signed-in user and their workspaces",
  security: SIGNED_IN,
  middleware: [requireUser] as const,
  responses: {
    200: {
      description: "The caller",
      content: {
        "application/json": { schema: z.object({ user: UserSchema, workspaces: z.array(MembershipSchema) }) },
      },
    },
    401: errorResponses[401],
  },
});

/** The /me route. */
export function meRoutes(deps: AppDeps) {
  const app = apiRouter();
  app.openapi(meRoute, async (c) => {
    const { user } = c.get("user");
    const rows = await asUser(deps.db, user.id, (tx) => listWorkspacesOf(tx, user.id));
    return c.json({ user, workspaces: rows.map(({ id, name, role }) => ({ id, name, role })) }, 200);
  });
  return app;
}
