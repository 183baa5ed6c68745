import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { buildRouteTable, toPattern } from "./fs_routes.ts";

Deno.test("toPattern() maps index, params, catch-alls and groups", () => {
  assertEquals(toPattern("index"), "/");
  assertEquals(toPattern("about"), "/about");
  assertEquals(toPattern("blog/index"), "/blog");
  assertEquals(toPattern("blog/[slug]"), "/blog/:slug");
  assertEquals(toPattern("files/[...rest]"), "/files/:rest{.+}");
  assertEquals(toPattern("(app)/chat/[id]"), "/chat/:id");
  assertEquals(toPattern("(marketing)/(nested)/index"), "/");
});

Deno.test("buildRouteTable() orders static before params before catch-alls", () => {
  const table = buildRouteTable([
    "[...rest].tsx",
    "blog/[slug].tsx",
    "blog/new.tsx",
    "index.tsx",
    "blog/index.tsx",
  ]);
  assertEquals(table.routes.map((r) => r.pattern), ["/", "/blog", "/blog/new", "/blog/:slug", "/:rest{.+}"]);
});

Deno.test("buildRouteTable() nests layouts and middleware by folder, groups included", () => {
  const table = buildRouteTable([
    "_app.tsx",
    "_404.tsx",
    "_500.tsx",
    "_layout.tsx",
    "_middleware.ts",
    "(app)/_layout.tsx",
    "(app)/_middleware.ts",
    "(app)/chat/index.tsx",
    "(auth)/login.tsx",
    "_private_helper.ts",
    "index_test.ts",
  ]);
  assertEquals(table.app, "_app.tsx");
  assertEquals(table.notFound, "_404.tsx");
  assertEquals(table.error, "_500.tsx");
  const chat = table.routes.find((r) => r.pattern === "/chat")!;
  assertEquals(chat.layouts, ["_layout.tsx", "(app)/_layout.tsx"]);
  assertEquals(chat.middlewares, ["_middleware.ts", "(app)/_middleware.ts"]);
  const login = table.routes.find((r) => r.pattern === "/login")!;
  assertEquals(login.layouts, ["_layout.tsx"]);
  assertEquals(login.middlewares, ["_middleware.ts"]);
  assertEquals(table.routes.length, 2);
});

Deno.test("buildRouteTable() refuses two files serving one URL", () => {
  throws(() => buildRouteTable(["(a)/x.tsx", "(b)/x.tsx"]), /already serves \/x/);
});
