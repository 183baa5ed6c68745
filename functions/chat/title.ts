/**
 * Chat titles: the first question cut to a line at once, then a short name the model writes from
 * the first exchange. A title the user set is never replaced.
 */
import { generateText, type UIMessage } from "ai";
import { and, eq } from "drizzle-orm";
import type { AppDeps } from "../../lib/deps.ts";
import { asSystem } from "../../db/rls.ts";
import { chatSessions } from "../../db/schema.ts";
import { languageModel, type ModelSettings } from "../../lib/llm/model.ts";
import { allowListFor } from "../../lib/net/outbound.ts";
import { recordUsage } from "./limits.ts";
import { messageText } from "../../lib/llm/message_text.ts";
import { storableText } from "../../lib/text.ts";

const TITLE_CHARS = 80;

/** The first line of a question, cut at a word near TITLE_CHARS. */
export function provisionalTitle(question: string): string {
  const line = question.trim().split("\n")[0].replace(/\s+/g, " ");
  if (line.length <= TITLE_CHARS) return line || "New chat";
  const cut = line.slice(0, TITLE_CHARS);
  return cut.slice(0, cut.lastIndexOf(" ") > 40 ? cut.lastIndexOf(" ") : TITLE_CHARS) + "…";
}

/** Asks the model for a title of the first exchange; on any failure the provisional title stays. */
export async function nameSession(
  deps: AppDeps,
  turn: { session: { id: string }; settings: ModelSettings; history: UIMessage[]; userId: string },
  answer: UIMessage | undefined,
): Promise<void> {
  try {
    const question = messageText(turn.history.at(-1)).slice(0, 1000);
    const result = await generateText({
      model: languageModel(turn.settings, { fetch: deps.fetch, allow: allowListFor(deps.config) }),
      system: "You name conversations. Reply with a title of at most six words, no quotes, no final period.",
      prompt: `Question: ${question}\nAnswer: ${messageText(answer).slice(0, 1000)}`,
      maxOutputTokens: 30,
      maxRetries: 0,
      timeout: 15_000,
    });
    const title = storableText(result.text).trim().replace(/^["'«“]+|["'»”.]+$/g, "").slice(0, TITLE_CHARS);
    await asSystem(deps.db, async (tx) => {
      if (title) {
        await tx.update(chatSessions).set({ title, titleSource: "generated" })
          .where(and(eq(chatSessions.id, turn.session.id), eq(chatSessions.titleSource, "auto")));
      }
      await recordUsage(deps, tx, turn.userId, {
        inputTokens: result.usage.inputTokens ?? 0,
        outputTokens: result.usage.outputTokens ?? 0,
      });
    });
  } catch (error) {
    deps.log.warn("chat title not generated", { session: turn.session.id, error: String(error) });
  }
}
