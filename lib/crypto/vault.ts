/**
 * Secrets at rest (connector credentials, later LLM keys): AES-256-GCM with a fresh 96-bit nonce
 * per encryption and the owning record's id bound as additional data, so a ciphertext copied onto
 * another row does not decrypt. Each workspace gets its own data key, derived from APP_SECRET with
 * HKDF; the key id stored beside each ciphertext names the APP_SECRET it came from, so after a
 * rotation the previous secrets (APP_SECRET_PREVIOUS) still decrypt until everything is re-encrypted.
 */
import type { Config } from "../config.ts";
import { encodeHex } from "../encoding.ts";

const NONCE_BYTES = 12;
const utf8 = new TextEncoder();

/** A ciphertext and the id of the key that made it, as stored in the database. */
export interface Sealed {
  ciphertext: Uint8Array<ArrayBuffer>;
  keyId: string;
}

/** Encrypts and decrypts JSON values for one record of one workspace. */
export class Vault {
  readonly currentKeyId: Promise<string>;
  readonly #secrets: Promise<Map<string, CryptoKey>>;
  readonly #dataKeys = new Map<string, Promise<CryptoKey>>();

  constructor(current: string, previous: string[] = []) {
    this.#secrets = (async () => {
      const byId = new Map<string, CryptoKey>();
      for (const secret of [current, ...previous]) {
        byId.set(
          await keyIdOf(secret),
          await crypto.subtle.importKey("raw", utf8.encode(secret), "HKDF", false, ["deriveKey"]),
        );
      }
      return byId;
    })();
    this.currentKeyId = keyIdOf(current);
  }

  /** Seals `value` (any JSON) for `recordId` in `workspaceId` under the current key. */
  async seal(workspaceId: string, recordId: string, value: unknown): Promise<Sealed> {
    const keyId = await this.currentKeyId;
    const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
    const encrypted = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv: nonce, additionalData: utf8.encode(recordId) },
      await this.#dataKey(keyId, workspaceId),
      utf8.encode(JSON.stringify(value)),
    );
    const ciphertext = new Uint8Array(NONCE_BYTES + encrypted.byteLength);
    ciphertext.set(nonce);
    ciphertext.set(new Uint8Array(encrypted), NONCE_BYTES);
    return { ciphertext, keyId };
  }

  /** Opens what `seal` made for the same record; throws when the key is unknown or the data altered. */
  async open<T = unknown>(workspaceId: string, recordId: string, sealed: Sealed): Promise<T> {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: sealed.ciphertext.slice(0, NONCE_BYTES), additionalData: utf8.encode(recordId) },
      await this.#dataKey(sealed.keyId, workspaceId),
      sealed.ciphertext.slice(NONCE_BYTES),
    );
    return JSON.parse(new TextDecoder().decode(plain)) as T;
  }

  #dataKey(keyId: string, workspaceId: string): Promise<CryptoKey> {
    const cacheKey = `${keyId}/${workspaceId}`;
    let key = this.#dataKeys.get(cacheKey);
    if (!key) {
      key = this.#secrets.then((secrets) => {
        const secret = secrets.get(keyId);
        if (!secret) throw new Error(`No key ${keyId}: add the APP_SECRET it came from to APP_SECRET_PREVIOUS`);
        return crypto.subtle.deriveKey(
          { name: "HKDF", hash: "SHA-256", salt: utf8.encode("workspace-data-key"), info: utf8.encode(workspaceId) },
          secret,
          { name: "AES-GCM", length: 256 },
          false,
          ["encrypt", "decrypt"],
        );
      });
      key.catch(() => this.#dataKeys.delete(cacheKey));
      this.#dataKeys.set(cacheKey, key);
    }
    return key;
  }
}

/** A short public name for a secret: a hash prefix, which reveals nothing usable about it. */
async function keyIdOf(secret: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", utf8.encode(`key-id:${secret}`));
  return "k" + encodeHex(new Uint8Array(digest).slice(0, 6));
}

const vaults = new WeakMap<Config, Vault>();

/** The vault for a configuration, made once. */
export function vaultFor(config: Config): Vault {
  let vault = vaults.get(config);
  if (!vault) vaults.set(config, vault = new Vault(config.appSecret, config.previousSecrets));
  return vault;
}
