import { equal, match, ok } from "node:assert/strict";
import { clearedSessionCookie, readSessionToken, sessionCookie, sessionCookieName } from "./session_cookie.ts";

const expires = new Date(Date.now() + 86_400_000);

Deno.test("sessionCookie() is __Host- prefixed and Secure on https", () => {
  const origin = new URL("https://workspace.example.com");
  const value = sessionCookie(origin, "tok", expires);
  match(value, /^__Host-session=tok; /);
  for (const attr of ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"]) ok(value.includes(attr), attr);
  ok(!/Domain=/i.test(value));
  equal(readSessionToken(`a=b; __Host-session=tok`, origin), "tok");
});

Deno.test("sessionCookie() drops Secure and the prefix on plain-HTTP localhost only", () => {
  equal(sessionCookieName(new URL("http://localhost:8000")), "session");
  equal(sessionCookieName(new URL("http://127.0.0.1:8000")), "session");
  equal(sessionCookieName(new URL("http://intranet.example")), "__Host-session");
  ok(!sessionCookie(new URL("http://localhost:8000"), "tok", expires).includes("Secure"));
  match(clearedSessionCookie(new URL("http://localhost")), /^session=; Max-Age=0/);
});
