/**
 * A thin Fresh-compatible layer on Hono, preact-render-to-string and esbuild: file-system
 * routes, islands, `fresh.config.ts`. Fresh itself is on JSR only, which this project cannot reach.
 *
 * @example
 * ```ts
 * const fresh = await createFresh(config, { state: (c) => ({ user: c.get("user") }), nonce: () => "" });
 * app.route("/", fresh.app);
 * ```
 */
export { createFresh, type FreshApp, type FreshOptions } from "./server.ts";
export { asset } from "./static_files.ts";
export { buildIslands, readBundle, writeBundle } from "./build.ts";
export * from "./types.ts";
