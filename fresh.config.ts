/** The app's Fresh-style configuration: where routes, islands, static files and builds live. */
import { defineConfig } from "./lib/fresh/mod.ts";

export default defineConfig({
  root: new URL(".", import.meta.url).pathname,
  routesDir: "routes",
  islandsDir: "islands",
  staticDir: "static",
  buildDir: "_fresh",
  // The REST API is a Hono app (routes/api/mod.ts), mounted by lib/app.ts.
  ignoreRoutes: ["api"],
});
