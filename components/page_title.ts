/**
 * The `<title>` of a page: what the page says it is (`pageTitle` in its data, e.g. the chat's or
 * connector's name and its section), else its section, named from the address; then the product.
 * Tabs, history and bookmarks then tell pages apart.
 */
const SECTIONS: Record<string, string> = {
  chat: "Chat",
  connectors: "Connectors",
  dashboards: "Dashboards",
  workflows: "Workflows",
  settings: "Settings",
  artifacts: "Artifact",
  login: "Sign in",
  signup: "Create an account",
  confirm: "Confirm",
};

/** The title for `url` and the page's data; `status` 404/500 name the error instead. */
export function pageTitle(url: URL, data: unknown, status: number): string {
  const own = (data as { pageTitle?: unknown } | null | undefined)?.pageTitle;
  const section = SECTIONS[url.pathname.split("/")[1] ?? ""];
  const name = status === 404
    ? url.pathname.startsWith("/share/") ? "Link not working" : "Page not found"
    : status >= 500
    ? "Something went wrong"
    : typeof own === "string" && own
    ? own
    : section;
  return name ? tabTitle(name) : "Workspace";
}

/** The tab title of a page whose own title is `own`, as pageTitle makes it: "Sales · Chat · Workspace". */
export function tabTitle(own: string): string {
  return `${own} · Workspace`;
}

/** A chat's own page title, its name in its section (/chat/:id's pageTitle): "Sales · Chat". */
export function chatPageTitle(name: string): string {
  return `${name} · Chat`;
}
