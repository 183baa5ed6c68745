/**
 * Chromium for browser tests: `CHROME_PATH`, else Debian's /usr/bin/chromium. Where it is
 * missing the tests are skipped with how to install it; under CI (CI=true) they fail instead.
 */
import { type Browser, chromium, type Page } from "playwright-core";

const path = Deno.env.get("CHROME_PATH") ?? "/usr/bin/chromium";

function chromiumPresent(): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** Why browser tests cannot run here, or undefined when they can. */
export function browserMissing(): string | undefined {
  if (chromiumPresent()) return undefined;
  const message = `Chromium not found at ${path}: install it with "apt-get install -y chromium" or set CHROME_PATH`;
  if (Deno.env.get("CI") === "true") throw new Error(`${message} (CI must run browser tests, not skip them)`);
  return message;
}

/** Launches headless Chromium with the flags this machine needs. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: path,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
      "--no-first-run",
    ],
  });
}

/** A browser test: skipped with a message when Chromium is missing (outside CI). */
export function browserTest(name: string, fn: (browser: Browser) => Promise<void>) {
  const missing = browserMissing();
  if (missing) console.warn(`Skipping browser test "${name}": ${missing}`);
  Deno.test({
    name,
    ignore: Boolean(missing),
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const browser = await launchBrowser();
      try {
        await fn(browser);
      } finally {
        await browser.close();
      }
    },
  });
}

/** Serves `handler` on a free loopback port until `close()`. */
export function serve(handler: Deno.ServeHandler): { url: string; close(): Promise<void> } {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
  return { url: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
}

/** A new page signed in with `cookie` (`name=value`) on `baseUrl`, collecting uncaught page errors. */
export async function signedInPage(
  browser: Browser,
  baseUrl: string,
  cookie: string,
): Promise<{ page: Page; problems: string[] }> {
  const [name, value] = cookie.split("=");
  const context = await browser.newContext();
  await context.addCookies([{ name, value, url: baseUrl }]);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(e.message));
  return { page, problems };
}
