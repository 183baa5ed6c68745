/** Turns a failed model call into a sentence for the chat: what happened and what to do. */
import { APICallError, RetryError, type UIMessageChunk } from "ai";

const MAX_DETAIL = 300;

/** The message the chat shows for `error`; `timeoutMs` is the configured silence limit. */
export function describeUpstreamError(error: unknown, timeoutMs: number): string {
  const cause = RetryError.isInstance(error) ? error.lastError : error;
  if (APICallError.isInstance(cause)) {
    const detail = cause.message.slice(0, MAX_DETAIL);
    const status = cause.statusCode;
    if (status === 401 || status === 403) {
      return `The model endpoint refused the API key (HTTP ${status}): check the key in Settings. ${detail}`;
    }
    if (status === 404) return `The model endpoint does not know this model (HTTP 404): ${detail}`;
    if (status === 429) return `The model endpoint is rate limiting us (HTTP 429): try again in a moment. ${detail}`;
    if (status && status < 300) {
      // The call was accepted, then its stream failed part way.
      const reason = cause.cause instanceof Error ? cause.cause.message : detail;
      return `The model's answer broke off: ${reason.slice(0, MAX_DETAIL)}`;
    }
    if (status) return `The model endpoint failed (HTTP ${status}): ${detail}`;
    return `Cannot reach the model endpoint: ${detail}`;
  }
  const name = (cause as { name?: string })?.name;
  const message = cause instanceof Error ? cause.message : String(cause);
  if (name === "TimeoutError" || /timeout|timed out/i.test(message)) {
    return `The model did not answer within ${Math.round(timeoutMs / 1000)} s: try again, or a smaller question`;
  }
  if (name === "AbortError") return "The answer was stopped";
  return `The model's answer broke off: ${message.slice(0, MAX_DETAIL)}`;
}

/**
 * Makes every way an answer can end without finishing visible as an `error` chunk: the SDK reports a
 * timeout as an abort (only our stop button is a real abort), and a stream that broke off mid-answer
 * errors the chunk stream itself, which would otherwise end the client's stream and the log silently.
 */
export function endingsAsErrors(
  source: ReadableStream<UIMessageChunk>,
  stopped: AbortSignal,
  timeoutMs: number,
  lastError: () => string | undefined,
): ReadableStream<UIMessageChunk> {
  const reader = source.getReader();
  let ended = false;
  const broke = (error?: unknown): UIMessageChunk => ({
    type: "error",
    errorText: lastError() ?? (error ? describeUpstreamError(error, timeoutMs) : "The model's answer broke off"),
  });
  return new ReadableStream<UIMessageChunk>({
    async pull(controller) {
      let next: ReadableStreamReadResult<UIMessageChunk>;
      try {
        next = await reader.read();
      } catch (error) {
        controller.enqueue(broke(error));
        return controller.close();
      }
      if (next.done) {
        if (!ended) controller.enqueue(broke());
        return controller.close();
      }
      let chunk = next.value;
      if (chunk.type === "abort" && !stopped.aborted) {
        const timeout = new DOMException(chunk.reason ?? "", "TimeoutError");
        chunk = { type: "error", errorText: describeUpstreamError(timeout, timeoutMs) };
      }
      ended ||= chunk.type === "finish" || chunk.type === "error" || chunk.type === "abort";
      controller.enqueue(chunk);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}
