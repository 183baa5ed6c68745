/** The text of a chat message: its text parts joined, tool calls and other parts left out. */
export function messageText(message: { parts: readonly unknown[] } | undefined): string {
  return (message?.parts ?? []).map((part) => {
    const p = part as { type?: string; text?: string };
    return p.type === "text" ? p.text ?? "" : "";
  }).join("");
}
