/** Shapes the REST API sends and takes, with their OpenAPI names. */
import { z } from "@hono/zod-openapi";

export const UserSchema = z.object({ id: z.uuid(), email: z.email(), name: z.string() }).openapi("User");
export const WorkspaceSchema = z.object({ id: z.uuid(), name: z.string() }).openapi("Workspace");
export const MembershipSchema = WorkspaceSchema.extend({ role: z.enum(["owner", "editor", "viewer"]) })
  .openapi("WorkspaceMembership");

const email = z.string().trim().toLowerCase().pipe(z.email({ error: "Enter a valid email address" })).pipe(
  z.string().max(254),
);

export const SignupBody = z.object({
  email,
  password: z.string().min(8, "Use at least 8 characters").max(1024),
  name: z.string().trim().max(100).optional(),
}).openapi("SignupRequest");

export const LoginBody = z.object({
  email,
  password: z.string().min(1).max(1024),
}).openapi("LoginRequest");

export const TokenBody = z.object({ name: z.string().trim().min(1).max(100) }).openapi("CreateTokenRequest");

export const TokenSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  created_at: z.iso.datetime(),
  last_used_at: z.iso.datetime().nullable(),
}).openapi("ApiToken");

export const IdParam = z.object({
  id: z.uuid({ error: "Not a valid id" }).openapi({ param: { name: "id", in: "path" } }),
});
