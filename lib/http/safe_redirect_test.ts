import { equal } from "node:assert/strict";
import { safeRedirectPath } from "./safe_redirect.ts";

const ORIGIN = "https://app.example";
const pick = (target: string | null) => safeRedirectPath(target, ORIGIN, "/home");

Deno.test("safeRedirectPath() keeps paths on the app's origin with their query and fragment", () => {
  equal(pick("/chat"), "/chat");
  equal(pick("/chat/1?x=%20y#z"), "/chat/1?x=%20y#z");
  equal(pick("https://app.example/connectors"), "/connectors");
  equal(pick("/caf\u00e9"), "/caf%C3%A9");
  equal(pick("/a/../b"), "/b");
});

Deno.test("safeRedirectPath() refuses other origins, controls, spaces, backslashes and long targets", () => {
  for (
    const target of [
      null,
      "",
      "//evil.example",
      "///evil.example",
      "/\t/evil.example",
      "/\n/evil.example",
      "/\r/evil.example",
      "/\\evil.example",
      "\\\\evil.example",
      "/.//evil.example",
      "https://evil.example/",
      "https://app.example.evil.example/",
      "https://app.example@evil.example/",
      "http://app.example/", // another scheme is another origin
      "javascript:alert(1)",
      "data:text/html,x",
      " /chat",
      "/chat\u00a0",
      "\u3000//evil.example",
      "/\u2028/evil.example",
      "/\u0000",
      "/\u007f",
      "/\u0085",
      "/" + "a".repeat(3000),
    ]
  ) {
    equal(pick(target), "/home", JSON.stringify(target));
  }
});
