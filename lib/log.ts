/**
 * JSON structured logs, one object a line. Fields whose names look secret are redacted at any
 * depth, so a careless `log.info("x", { body })` still cannot leak a password or token; and every
 * string (the message, error messages, stacks) is scrubbed of values that look like credentials
 * wherever they sit, because a driver's error can quote a connection string whole.
 */
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
export type LogFields = Record<string, unknown>;

/** What the app logs through; tests pass one that collects lines. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };
const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|credential|api_?key|ciphertext/i;

/** Credentials inside free text, each with what it becomes (OWASP Logging Cheat Sheet: never log them). */
const SECRET_TEXT: [RegExp, string][] = [
  // The userinfo of any URL (`postgres://user:pass@host`, `https://token@host`), up to the last
  // `@` of the word: a malformed URL (several hosts, a raw `@` in the password) is caught too.
  // A password may hold `/` or `@` when it was never encoded, so `user:…` runs to the last `@`.
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#"'`<>@:]*:[^\s"'`<>]*@/gi, "$1[redacted]@"],
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#"'`<>@:]+@/gi, "$1[redacted]@"],
  // key=value forms: libpq keyword strings, query strings, `.env` lines.
  [
    /\b(pass(?:word|wd)?|pwd|secret|client_secret|token|access_token|refresh_token|api[_-]?key|apikey|access[_-]?key)(\s*=\s*)("[^"]*"|'[^']*'|[^\s,;&"']+)/gi,
    "$1$2[redacted]",
  ],
  // JSON quoted inside a message: "password":"…"
  [
    /("(?:password|secret|token|api_?key|authorization|connection_string)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi,
    '$1"[redacted]"',
  ],
  [/\b(Bearer|Basic)\s+[\w.~+/=-]{8,}/g, "$1 [redacted]"],
  // Token shapes: ours (wst_), Standard Webhooks secrets, OpenAI-style keys, JWTs.
  [/\b(wst|whsec|sk|pk|rk)([_-])[\w+/=-]{16,}/g, "$1$2[redacted]"],
  [/\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]*/g, "[redacted-jwt]"],
];

/** `text` with every credential-looking value in it replaced by "[redacted]". */
export function scrubSecrets(text: string): string {
  return SECRET_TEXT.reduce((t, [pattern, replacement]) => t.replace(pattern, replacement), text);
}

/**
 * Replaces secret-looking fields with "[redacted]", scrubs credentials out of every string (see
 * `scrubSecrets`), and turns errors into their scrubbed name and message.
 */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return scrubSecrets(value);
  if (value instanceof Error) return { name: value.name, message: scrubSecrets(value.message) };
  if (value === null || typeof value !== "object" || depth > 6) return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? "[redacted]" : redact(v, depth + 1)]),
  );
}

/** A logger writing JSON lines to `write` (stdout by default) at `level` and above. */
export function createLogger(level: LogLevel = "info", write: (line: string) => void = console.log): Logger {
  const emit = (lvl: LogLevel) => (msg: string, fields?: LogFields) => {
    if (ORDER[lvl] < ORDER[level]) return;
    const line = {
      time: new Date().toISOString(),
      level: lvl,
      msg: scrubSecrets(msg),
      ...(redact(fields ?? {}) as LogFields),
    };
    write(JSON.stringify(line));
  };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}
