import { deepStrictEqual, equal } from "node:assert/strict";
import { exactJsonFetch } from "./supabase.ts";

/** A PostgREST answer as the wire carries it: numbers a double cannot hold, top-level and nested. */
const WIRE =
  '[{"id":9007199254740993,"amount":12345678901234567890.1234567890,"small":42,"tags":{"n":-9223372036854775808}}]';

Deno.test("exactJsonFetch() hands supabase-js big numbers as their exact digits", async () => {
  const fetch = exactJsonFetch(() =>
    Promise.resolve(new Response(WIRE, { headers: { "content-type": "application/json; charset=utf-8" } }))
  );
  const rows = await (await fetch("https://project.supabase.co/rest/v1/t")).json();
  deepStrictEqual(rows, [{
    id: "9007199254740993",
    amount: "12345678901234567890.1234567890",
    small: 42,
    tags: { n: "-9223372036854775808" },
  }]);
});

Deno.test("exactJsonFetch() leaves other bodies and statuses as they are", async () => {
  const fetch = exactJsonFetch(() => Promise.resolve(new Response("not json", { status: 503 })));
  const response = await fetch("https://project.supabase.co/rest/v1/t");
  equal(response.status, 503);
  equal(await response.text(), "not json");
});
