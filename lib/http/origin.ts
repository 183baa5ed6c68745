/**
 * The origin the app's own links are written with (share URLs, webhook URLs): APP_URL's origin
 * when the operator set one (behind a proxy the request's URL is the proxy's view), else the
 * request's origin.
 */
import type { AppDeps } from "../deps.ts";

/** `https://workspace.example.com`, from APP_URL or else from `requestUrl`. */
export function originOf(deps: AppDeps, requestUrl: string): string {
  return new URL(deps.config.appUrl ?? requestUrl).origin;
}
