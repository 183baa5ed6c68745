/** A markdown document, rendered and sanitized in the browser (the server sends it as plain text). */
import { useEffect } from "preact/hooks";
import { useSignal } from "@preact/signals";
import { escapeHtml, renderMarkdown } from "../lib/client/markdown.ts";

export default function MarkdownView(props: { markdown: string }) {
  const hydrated = useSignal(false);
  useEffect(() => {
    hydrated.value = true;
  }, []);
  const html = hydrated.value ? renderMarkdown(props.markdown) : escapeHtml(props.markdown);
  return <div class="md" data-testid="markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}
