/**
 * Markdown as sanitized HTML. Sanitizing needs the DOM, so on the server (and in an island's first,
 * hydrating render) the text is shown plain; islands pass `rich` once they run in the browser.
 */
import { escapeHtml, renderMarkdown } from "../lib/client/markdown.ts";

export function Markdown(props: { text: string; rich: boolean }) {
  const html = props.rich ? renderMarkdown(props.text) : escapeHtml(props.text);
  // deno-lint-ignore react-no-danger -- DOMPurify sanitized it (or it is escaped text)
  return <div class="md" dangerouslySetInnerHTML={{ __html: html }} />;
}
