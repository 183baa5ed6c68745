/**
 * Markdown as sanitized HTML. Sanitizing needs the DOM, so on the server (and in an island's first,
 * hydrating render) the text is shown plain; islands pass `rich` once they run in the browser.
 */
import { renderMarkdown } from "../lib/client/markdown.ts";

export function Markdown(props: { text: string; rich: boolean }) {
  if (!props.rich) return <div class="md">{props.text}</div>;
  // deno-lint-ignore react-no-danger -- DOMPurify has sanitized it
  return <div class="md" dangerouslySetInnerHTML={{ __html: renderMarkdown(props.text) }} />;
}
