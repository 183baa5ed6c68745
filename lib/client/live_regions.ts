/**
 * Brings server-rendered parts of the page up to date without a reload: fetches the page again
 * and swaps in the elements with the given ids. For regions outside islands only (an island's DOM
 * belongs to Preact); the server stays the one place that renders them, so they can never disagree
 * with what a reload would show.
 */

/** Replaces each element of `ids` with the same element of a fresh copy of this page; false when it cannot. */
export async function refreshRegions(ids: string[]): Promise<boolean> {
  const res = await fetch(location.href, { headers: { accept: "text/html" } }).catch(() => undefined);
  if (!res?.ok) return false;
  const fresh = new DOMParser().parseFromString(await res.text(), "text/html");
  for (const id of ids) {
    const now = document.getElementById(id);
    const next = fresh.getElementById(id);
    if (now && next) now.replaceWith(document.importNode(next, true));
  }
  return true;
}
