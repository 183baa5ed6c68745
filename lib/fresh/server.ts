/**
 * Mounts a routes folder on Hono: loads route, layout and middleware modules once at start,
 * registers each route, renders pages to HTML with their islands, and serves island bundles.
 */
import { type Context, Hono } from "hono";
import { type ComponentChild, type ComponentType, h } from "preact";
import { renderToString } from "preact-render-to-string";
import { join, toFileUrl } from "./_path.ts";
import { buildRouteTable, type RouteEntry, scanIslandFiles, scanRouteFiles } from "./fs_routes.ts";
import { buildIslands, type IslandBundle, readBundle } from "./build.ts";
import { collectIslands, type Island, registerIslands, serializeIslandProps } from "./islands.ts";
import { escapeForScript } from "./serialize.ts";
import { loadStaticFiles, serveStatic } from "./static_files.ts";
import type { FreshConfig, FreshContext, Handler, LayoutProps, PageProps, RouteModule } from "./types.ts";

/** How the app plugs in: per-request state and the CSP nonce. */
export interface FreshOptions<State> {
  state(c: Context): State;
  nonce(c: Context): string;
  /** Use the bundle `deno task build` wrote instead of building in memory. */
  prebuilt?: boolean;
}

/** The mounted pages: a Hono app plus renderers for not-found and error pages. */
export interface FreshApp {
  app: Hono;
  /** Resolves once island bundles are ready. */
  ready: Promise<void>;
  renderNotFound(c: Context): Promise<Response>;
  renderError(c: Context, error: unknown): Promise<Response>;
}

type Layout = ComponentType<LayoutProps>;
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** Loads the routes, islands and static files of `config` and returns the mounted app. */
export async function createFresh<State extends Record<string, unknown>>(
  config: FreshConfig,
  options: FreshOptions<State>,
): Promise<FreshApp> {
  const routesDir = join(config.root, config.routesDir ?? "routes");
  const table = buildRouteTable(await scanRouteFiles(routesDir, config.ignoreRoutes));
  const load = async <T>(file: string) => (await import(toFileUrl(join(routesDir, file)).href)) as T;
  const modules = new Map<string, RouteModule & { handler?: unknown }>();
  const files = new Set([
    ...table.routes.flatMap((r) => [r.file, ...r.layouts, ...r.middlewares]),
    ...[table.app, table.notFound, table.error].filter((f): f is string => !!f),
  ]);
  await Promise.all([...files].map(async (f) => modules.set(f, await load(f))));
  const component = (file?: string) => (file ? modules.get(file)?.default : undefined) as Layout | undefined;

  const islands = await loadIslands(join(config.root, config.islandsDir ?? "islands"));
  registerIslands(islands);
  await loadStaticFiles(join(config.root, config.staticDir ?? "static"));
  let bundle: IslandBundle | undefined;
  const ready =
    (options.prebuilt
      ? readBundle(join(config.root, config.buildDir ?? "_fresh"))
      : buildIslands(config.root, Object.fromEntries(islands.map((i) => [i.name, i.file]))))
      .then((b) => void (bundle = b));
  ready.catch(() => {}); // reported when a page needs it

  async function render(c: Context, page: ComponentType<PageProps> | undefined, layouts: string[], props: PageProps) {
    const nonce = options.nonce(c);
    let Inner: ComponentType = () => (page ? h(page, props) : null);
    for (const file of [...layouts].reverse().concat(table.app ? [table.app] : [])) {
      const Layout = component(file);
      if (!Layout) continue;
      const Wrapped: ComponentType = Inner;
      Inner = (): ComponentChild => h(Layout, { ...props, Component: Wrapped, nonce });
    }
    const { result, islands: used } = collectIslands(() => renderToString(h(Inner, null)));
    let html = "<!DOCTYPE html>" + result;
    if (used.used.length > 0) {
      await ready;
      const names = [...new Set(used.used.map((u) => u.island.name))];
      const imports = names.map((n, i) => `import i${i} from "/_fresh/js/${bundle!.islands[n]}";`).join("");
      const map = names.map((n, i) => `${JSON.stringify(n)}: i${i}`).join(",");
      const scripts = `<script id="__fresh_props" type="application/json">${
        escapeForScript(serializeIslandProps(used))
      }</script><script type="module" nonce="${nonce}">import { boot } from "/_fresh/js/${
        bundle!.boot
      }";${imports}boot({${map}});</script>`;
      const end = html.lastIndexOf("</body>");
      html = end === -1 ? html + scripts : html.slice(0, end) + scripts + html.slice(end);
    }
    return c.html(html, props.status as 200);
  }

  const app = new Hono();
  app.get("/_fresh/js/:file", async (c) => {
    await ready;
    const bytes = bundle!.files.get(c.req.param("file"));
    if (!bytes) return c.notFound();
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "public, max-age=31536000, immutable",
    });
  });
  app.on(["GET", "HEAD"], "*", async (c, next) => {
    const res = serveStatic(c.req.raw, new URL(c.req.url));
    return res ?? await next();
  });

  for (const route of table.routes) {
    app.all(route.pattern, (c) => handleRoute(c, route));
  }

  async function handleRoute(c: Context, route: RouteEntry): Promise<Response> {
    const mod = modules.get(route.file)!;
    const url = new URL(c.req.url);
    const state = options.state(c);
    const params = c.req.param() as Record<string, string>;
    const makeCtx = (next: () => Promise<Response>): FreshContext<State> => ({
      req: c.req.raw,
      url,
      params,
      state,
      nonce: options.nonce(c),
      next,
      redirect: (location, status = 303) => new Response(null, { status, headers: { location } }),
      render: (data, init) => {
        if (init?.headers) new Headers(init.headers).forEach((v, k) => c.header(k, v));
        return render(c, mod.default, route.layouts, { data, url, params, state, status: init?.status ?? 200 });
      },
    });
    const final = async (): Promise<Response> => {
      const method = c.req.method === "HEAD" ? "GET" : c.req.method;
      const handler = pickHandler(mod.handler, method);
      const ctx = makeCtx(() => Promise.reject(new Error("next() is for middleware")));
      if (!handler) {
        if (method === "GET" && mod.default) return await ctx.render(undefined);
        const allow = typeof mod.handler === "object" ? Object.keys(mod.handler) : mod.default ? ["GET"] : [];
        return c.text("Method not allowed", 405, { allow: allow.join(", ") });
      }
      const out = await handler(ctx);
      return out instanceof Response ? out : await ctx.render(out);
    };
    const chain = route.middlewares.map((f) => modules.get(f)!.handler as Handler<Response, State>);
    const run = (i: number): Promise<Response> =>
      i === chain.length ? final() : Promise.resolve(chain[i](makeCtx(() => run(i + 1))) as Response);
    return await run(0);
  }

  /** The `_404` or `_500` page, without layouts (they may be what failed). */
  const renderSpecial = (c: Context, file: string | undefined, status: number, error?: unknown) =>
    render(c, component(file) as ComponentType<PageProps> | undefined, [], {
      data: undefined,
      url: new URL(c.req.url),
      params: {},
      state: options.state(c),
      status,
      error,
    });
  return {
    app,
    ready,
    renderNotFound: (c) => renderSpecial(c, table.notFound, 404),
    renderError: (c, error) => renderSpecial(c, table.error, 500, error),
  };
}

function pickHandler(handler: unknown, method: string): Handler | undefined {
  if (typeof handler === "function") return handler as Handler;
  if (handler && typeof handler === "object" && METHODS.includes(method as typeof METHODS[number])) {
    return (handler as Record<string, Handler>)[method];
  }
  return undefined;
}

async function loadIslands(dir: string): Promise<Island[]> {
  const islands: Island[] = [];
  for (const [name, file] of Object.entries(await scanIslandFiles(dir))) {
    const mod = await import(toFileUrl(file).href);
    if (typeof mod.default !== "function") {
      throw new Error(`Cannot use island "${file}": it has no default export component`);
    }
    islands.push({ name, file, component: mod.default });
  }
  return islands;
}
