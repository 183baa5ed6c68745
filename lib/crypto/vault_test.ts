import { deepStrictEqual, notDeepStrictEqual, notEqual, rejects } from "node:assert/strict";
import { Vault } from "./vault.ts";

const OLD = "old-secret-0123456789-0123456789-0123";
const NEW = "new-secret-0123456789-0123456789-0123";
const WS = "8a4c2f62-3b1e-4d55-9a51-0f4b4f1f0b11";
const OTHER_WS = "0d3c6b8e-7f2a-4c41-8e6f-3a9d2b1c5e77";
const RECORD = "5b0e2c1a-9d3f-4e8b-a7c6-1f2e3d4c5b6a";

Deno.test("a sealed value opens for the same workspace and record only", async () => {
  const vault = new Vault(OLD);
  const sealed = await vault.seal(WS, RECORD, { password: "hunter2", port: 5432 });
  deepStrictEqual(await vault.open(WS, RECORD, sealed), { password: "hunter2", port: 5432 });
  await rejects(vault.open(WS, "another-record", sealed), { name: "OperationError" });
  await rejects(vault.open(OTHER_WS, RECORD, sealed), { name: "OperationError" });
  const tampered = sealed.ciphertext.slice();
  tampered[tampered.length - 1] ^= 1;
  await rejects(vault.open(WS, RECORD, { ...sealed, ciphertext: tampered }), { name: "OperationError" });
});

Deno.test("each seal uses a fresh nonce and the plaintext never shows", async () => {
  const vault = new Vault(OLD);
  const a = await vault.seal(WS, RECORD, "hunter2");
  const b = await vault.seal(WS, RECORD, "hunter2");
  notDeepStrictEqual(a.ciphertext.slice(0, 12), b.ciphertext.slice(0, 12));
  notDeepStrictEqual(a.ciphertext, b.ciphertext);
  const asText = new TextDecoder().decode(a.ciphertext);
  deepStrictEqual(asText.includes("hunter2"), false);
});

Deno.test("after a rotation the previous secret still opens old values; a forgotten one is named", async () => {
  const before = new Vault(OLD);
  const sealed = await before.seal(WS, RECORD, { token: "t0p" });
  const after = new Vault(NEW, [OLD]);
  notEqual(await after.currentKeyId, sealed.keyId);
  deepStrictEqual(await after.open(WS, RECORD, sealed), { token: "t0p" });
  const resealed = await after.seal(WS, RECORD, { token: "t0p" });
  deepStrictEqual(resealed.keyId, await after.currentKeyId);
  await rejects(new Vault(NEW).open(WS, RECORD, sealed), /No key k[0-9a-f]{12}: add the APP_SECRET/);
});
