/** A markdown document on a server page, rendered and sanitized once the browser runs it. */
import { useEffect } from "preact/hooks";
import { useSignal } from "@preact/signals";
import { Markdown } from "../components/Markdown.tsx";

export default function MarkdownView(props: { markdown: string }) {
  const hydrated = useSignal(false);
  useEffect(() => {
    hydrated.value = true;
  }, []);
  return <Markdown text={props.markdown} rich={hydrated.value} />;
}
