import type { PageProps } from "../lib/fresh/mod.ts";

/**
 * The 404 page. A share link that does not open (unknown, revoked, rotated or expired: one page
 * for all, so nothing tells them apart) says so in an outsider's terms, with no workspace links.
 */
export default function NotFound({ url }: PageProps) {
  // Under /share/ the visitor followed someone's link and may have no account: nothing here is theirs.
  if (url?.pathname.startsWith("/share/")) {
    return (
      <main class="center-page">
        <div class="card narrow">
          <h1>This link does not work</h1>
          <p>It may have expired, been turned off by the person who shared it, or been mistyped.</p>
          <p class="muted">Ask whoever sent it to you for a new link.</p>
        </div>
      </main>
    );
  }
  return (
    <main class="center-page">
      <div class="card narrow">
        <h1>Page not found</h1>
        <p class="muted">The address may be mistyped, or the page has moved.</p>
        <a class="button" href="/">Go to your workspace</a>
      </div>
    </main>
  );
}
