/**
 * Markdown for chat answers and documents, in the browser: marked parses, highlight.js colours
 * code, DOMPurify sanitizes. The model's text is untrusted (a dataset can carry a prompt
 * injection), so besides scripts and handlers, images that are not inline data are dropped: a
 * remote image URL could carry data out in its query string. The page's CSP forbids them too.
 */
import { Marked } from "marked";
import DOMPurify from "dompurify";
import hljs from "highlight.js/lib/core";
import sql from "highlight.js/lib/languages/sql";
import json from "highlight.js/lib/languages/json";
import python from "highlight.js/lib/languages/python";
import javascript from "highlight.js/lib/languages/javascript";
import typescript from "highlight.js/lib/languages/typescript";
import bash from "highlight.js/lib/languages/bash";

for (const [name, language] of Object.entries({ sql, json, python, javascript, typescript, bash })) {
  hljs.registerLanguage(name, language);
}

const marked = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    code({ text, lang }) {
      const language = lang && hljs.getLanguage(lang) ? lang : undefined;
      const html = language ? hljs.highlight(text, { language }).value : hljs.highlightAuto(text).value;
      return `<pre><code class="hljs${language ? ` language-${language}` : ""}">${html}</code></pre>`;
    },
  },
});

let hooked = false;
function purifier() {
  if (!hooked) {
    DOMPurify.addHook("afterSanitizeAttributes", (node) => {
      if (node.tagName === "A") {
        node.setAttribute("rel", "noopener noreferrer nofollow");
        node.setAttribute("target", "_blank");
      }
      if (node.tagName === "IMG" && !/^data:image\//.test(node.getAttribute("src") ?? "")) {
        node.replaceWith(document.createTextNode(node.getAttribute("alt") ?? ""));
      }
    });
    hooked = true;
  }
  return DOMPurify;
}

/** Safe HTML for `markdown`. Browser only (DOMPurify needs the DOM). */
export function renderMarkdown(markdown: string): string {
  const html = marked.parse(markdown, { async: false });
  return purifier().sanitize(html, {
    FORBID_TAGS: ["style", "form", "input", "button", "textarea", "select", "iframe", "object", "embed", "svg", "math"],
    FORBID_ATTR: ["style"],
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#|\/(?!\/)|data:image\/)/i,
  });
}
