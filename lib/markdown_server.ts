/**
 * Markdown to HTML on the server, where there is no DOM for DOMPurify: used for dashboard text
 * widgets, which must read with JavaScript off. Safety comes from what the renderer emits, not
 * from cleaning afterwards: raw HTML in the source is escaped as text, links keep only http(s),
 * mailto and relative targets (never `javascript:` or `data:`), and images become their alt
 * text (a remote image could carry data out in its URL; the CSP forbids them too). marked
 * escapes every text token itself. (OWASP XSS Prevention Cheat Sheet, rules 1 and 5.)
 */
import { Marked } from "marked";

const SAFE_HREF = /^(https?:|mailto:|\/(?!\/)|#|\.{0,2}\/?[\w-])/i;

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const marked = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  renderer: {
    html({ text }) {
      return escape(text);
    },
    link({ href, tokens }) {
      const inner = this.parser.parseInline(tokens);
      if (!SAFE_HREF.test(href.trim()) || /^\s*(javascript|data|vbscript):/i.test(href)) return inner;
      return `<a href="${escape(href)}" rel="noopener noreferrer nofollow">${inner}</a>`;
    },
    image({ text }) {
      return escape(text);
    },
  },
});

/** `markdown` as HTML that is safe to put in a page as it is. */
export function markdownToSafeHtml(markdown: string): string {
  return marked.parse(markdown) as string;
}
