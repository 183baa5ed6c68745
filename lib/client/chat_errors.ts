/**
 * Refusals of a chat message, as sentences. The server answers a refused question with the API's
 * error shape (`{"error": {"code", "message"}}`); the AI SDK would show that body raw. The chat's
 * transport fetches through `refusingFetch`, which turns every refusal (and a network failure,
 * where no answer arrives at all) into a `Refusal`: the island then takes the question back out
 * of the conversation and puts its text back in the box, since the server stored nothing.
 */
import { MAX_MESSAGE_CHARS } from "../llm/limits.ts";

/** A question the server did not take: `status` is null when the server could not be reached. */
export class Refusal extends Error {
  constructor(message: string, readonly status: number | null) {
    super(message);
    this.name = "Refusal";
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string; details?: unknown };
}

const NOT_SENT = "Your question was not sent:";

/**
 * The sentence a refused question shows, from the response's status and parsed body (API.md's
 * error shape). Server messages are used where they are already written for people (limits,
 * permissions); codes whose messages name fields or protocols get our own words.
 */
export function refusalSentence(status: number | null, body: unknown): string {
  const error = (body as ErrorBody | undefined)?.error;
  const limit = MAX_MESSAGE_CHARS.toLocaleString("en-US");
  if (status === null) return `${NOT_SENT} the server could not be reached. Check your connection and send it again.`;
  if (status === 409) {
    return `${NOT_SENT} an answer is still being written in this chat (perhaps in another tab). ` +
      "Wait for it to finish or stop it, then send again.";
  }
  if (status === 413 || (status === 400 && isTooLong(error?.details))) {
    return `${NOT_SENT} it is longer than the ${limit} characters a question may have. Shorten it and send again.`;
  }
  if (status === 400) return `${NOT_SENT} the server could not read it. Reload the page and send it again.`;
  if (status === 401) return `${NOT_SENT} you have been signed out. Sign in again in another tab, then send it.`;
  if (status === 403) return `${NOT_SENT} ${lowerFirst(error?.message ?? "you may read this chat but not ask in it")}.`;
  if (status === 404) return `${NOT_SENT} this chat no longer exists (it may have been deleted in another tab).`;
  if (status === 429) {
    return `${NOT_SENT} ${lowerFirst(error?.message ?? "too many messages for now")}. It is still in the box.`;
  }
  if (error?.code === "llm_not_configured") {
    return `${NOT_SENT} no language model is configured. Add one in Settings, or ask whoever runs the server.`;
  }
  if (status === 503) return `${NOT_SENT} the service is unavailable for a moment. Try again shortly.`;
  return `${NOT_SENT} something went wrong on the server (HTTP ${status}). Try again in a moment.`;
}

function isTooLong(details: unknown): boolean {
  return Array.isArray(details) && details.some((d) => (d as { code?: string }).code === "too_big");
}

function lowerFirst(text: string): string {
  const trimmed = text.replace(/[.\s]+$/, "");
  return trimmed.charAt(0).toLowerCase() + trimmed.slice(1);
}

/** `fetch` for the chat transport: a refusal or an unreachable server throws a `Refusal`. */
export async function refusingFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(input, init);
  } catch (error) {
    if (init?.signal?.aborted) throw error; // Stop pressed: the SDK handles its own abort
    throw new Refusal(refusalSentence(null, undefined), null);
  }
  if (res.ok) return res;
  const body = await res.json().catch(() => undefined);
  throw new Refusal(refusalSentence(res.status, body), res.status);
}

/**
 * The sentence under a question whose answer failed (the model endpoint erred, timed out or broke
 * off): the server's description of what happened, led by what it means for the user.
 */
export function answerFailureSentence(error: string): string {
  const detail = error.trim().replace(/[.\s]+$/, "");
  return `No answer: ${lowerFirst(detail || "the model's answer broke off")}.`;
}

/** What the counter under the composer says, and whether the text may be sent. */
export function lengthStatus(text: string): { count: string; over: boolean; near: boolean } {
  const length = text.trim().length;
  return {
    count: `${length.toLocaleString("en-US")} / ${MAX_MESSAGE_CHARS.toLocaleString("en-US")}`,
    over: length > MAX_MESSAGE_CHARS,
    near: length > MAX_MESSAGE_CHARS * 0.9,
  };
}
