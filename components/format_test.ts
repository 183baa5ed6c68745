import { equal } from "node:assert/strict";
import { formatWhen } from "./format.ts";

Deno.test("formatWhen() writes every date-time one way, always with its zone", () => {
  const expected = "30 Nov 2026, 03:38 UTC";
  equal(formatWhen(new Date("2026-11-30T03:38:42.123Z")), expected);
  equal(formatWhen("2026-11-30T03:38:42.123Z"), expected, "an API timestamp reads the same");
  equal(formatWhen(null), "—");
  equal(formatWhen("not a date"), "—");
});

/**
 * Pages and islands show dates only through formatWhen: no hand-cut ISO strings ("2026-11-30
 * 03:46:51", with or without a zone) or locale formats of their own.
 */
Deno.test("no page or island formats a date by hand", async () => {
  const handmade =
    /toISOString\(\)\.slice|_at\.slice\(0, (10|16|19)\)|toLocale(Date|Time)?String\(\s*("en-GB"|\))|DateTimeFormat/;
  const offenders: string[] = [];
  for (const dir of ["routes", "islands", "components"]) {
    for await (const file of walk(new URL(`../${dir}/`, import.meta.url))) {
      if (!/\.tsx?$/.test(file.pathname) || /_test\.ts$/.test(file.pathname) || file.pathname.endsWith("/format.ts")) {
        continue;
      }
      const lines = (await Deno.readTextFile(file)).split("\n");
      lines.forEach((line, i) => {
        if (handmade.test(line)) {
          offenders.push(`${file.pathname.split("/").slice(-2).join("/")}:${i + 1}: ${line.trim()}`);
        }
      });
    }
  }
  // The share panel's expiry is a date picked in a date field; it belongs to the share-link work.
  equal(offenders.filter((o) => !o.startsWith("islands/SharePanel.tsx")).join("\n"), "");
});

async function* walk(dir: URL): AsyncGenerator<URL> {
  for await (const entry of Deno.readDir(dir)) {
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) yield* walk(url);
    else yield url;
  }
}
