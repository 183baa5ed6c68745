/**
 * The chat's question (delete), apart from components/confirmations.ts because the ChatTitle
 * island builds it in the browser once a new chat exists, and that module's database imports
 * cannot go there. confirmations.ts registers its kind for the plain /confirm page.
 */
import type { Confirmation } from "./confirm_types.ts";

/** Deleting a chat with its messages (artifacts made in it stay). */
export function deleteChat(s: { id: string; title: string }): Confirmation {
  return {
    id: `delete-chat-${s.id}`,
    title: `Delete the chat “${s.title}”?`,
    message: "Its messages are deleted for everyone in the workspace. This cannot be undone.",
    action: `/chat/${s.id}`,
    fields: { action: "delete" },
    confirmLabel: "Delete chat",
    cancelHref: `/chat/${s.id}`,
    pageHref: `/confirm/delete-chat?${new URLSearchParams({ id: s.id })}`,
  };
}
