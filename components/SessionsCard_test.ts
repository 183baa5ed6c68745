import { equal } from "node:assert/strict";
import { describeAgent } from "./SessionsCard.tsx";

Deno.test("describeAgent() names common browsers and systems", () => {
  const chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
  equal(describeAgent(chrome), "Chrome on Linux");
  const edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36 Edg/130.0";
  equal(describeAgent(edge), "Edge on Windows");
  const safari =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Version/18.0 Safari/604.1";
  equal(describeAgent(safari), "Safari on iOS");
  equal(describeAgent("curl/8.5.0"), "A client");
  equal(describeAgent(null), "Unknown browser");
});
