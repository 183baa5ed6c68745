/** The route-module contract, shaped like Fresh's so moving to real Fresh is a change of imports. */
import type { ComponentType } from "preact";

/** What a route handler or middleware receives. */
export interface FreshContext<State = Record<string, unknown>> {
  req: Request;
  url: URL;
  params: Record<string, string>;
  /** Per-request values set by the app and by middleware. */
  state: State;
  /** The CSP nonce of this response, for inline scripts. */
  nonce: string;
  /** Middleware only: runs what comes next and returns its response. */
  next(): Promise<Response>;
  /** A redirect (303 by default) whose headers middleware can still add to. */
  redirect(location: string, status?: 301 | 302 | 303 | 307 | 308): Response;
  /** Renders this route's page with `data`, e.g. to re-show a form with status 400. */
  render(data?: unknown, init?: { status?: number; headers?: HeadersInit }): Promise<Response>;
}

/** A handler returns a Response, or data for the page component. */
export type Handler<Data = unknown, State = Record<string, unknown>> = (
  ctx: FreshContext<State>,
) => Response | Data | Promise<Response | Data>;

/** A route's `handler` export: one function for every method, or one per method. */
export type Handlers<Data = unknown, State = Record<string, unknown>> =
  | Handler<Data, State>
  | Partial<Record<"GET" | "POST" | "PUT" | "PATCH" | "DELETE", Handler<Data, State>>>;

/** Props of a page component. */
export interface PageProps<Data = unknown, State = Record<string, unknown>> {
  data: Data;
  url: URL;
  params: Record<string, string>;
  state: State;
  /** The response status, so `_404`/`_500` and forms can tell. */
  status: number;
  /** `_500` only: what was thrown. */
  error?: unknown;
}

/** Props of `_app` and `_layout` components: the page props plus what they wrap. */
export interface LayoutProps<State = Record<string, unknown>> extends PageProps<unknown, State> {
  Component: ComponentType;
  nonce: string;
}

/** A route file's exports. */
export interface RouteModule {
  handler?: Handlers;
  default?: ComponentType<PageProps>;
}

/** Where the app's parts live; paths relative to `root`. */
export interface FreshConfig {
  /** The project folder, usually `new URL(".", import.meta.url).pathname`. */
  root: string;
  routesDir?: string;
  islandsDir?: string;
  staticDir?: string;
  /** Where `deno task build` writes island bundles. */
  buildDir?: string;
  /** Route folders served by something else (the REST API's Hono app). */
  ignoreRoutes?: string[];
}

/** Types the config file; returns it unchanged. */
export function defineConfig(config: FreshConfig): FreshConfig {
  return config;
}
