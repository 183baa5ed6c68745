import { equal } from "node:assert/strict";
import { acceptsGzip, gzip } from "./gzip.ts";

Deno.test("acceptsGzip() reads Accept-Encoding as RFC 9110 says, q=0 meaning refused", () => {
  const cases: [string | null, boolean][] = [
    ["gzip, deflate, br", true],
    ["br;q=1.0, gzip;q=0.8", true],
    ["*", true],
    ["gzip;q=0", false],
    ["gzip;q=0.000, br", false],
    ["identity", false],
    ["", false],
    [null, false],
    ["x-gzip", false],
    ["gzip;q=0, *", false],
    ["br, *;q=0.1", true],
  ];
  for (const [header, expected] of cases) equal(acceptsGzip(header), expected, String(header));
});

Deno.test("gzip() output decompresses to the same text, multi-byte characters included", async () => {
  const text = "<svg>ünïcödé 📈</svg>".repeat(5000);
  const bytes = await gzip(text);
  equal(bytes[0], 0x1f);
  const back = await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).text();
  equal(back, text);
});
