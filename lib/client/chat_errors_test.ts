import { equal, match } from "node:assert/strict";
import { answerFailureSentence, lengthStatus, refusalSentence } from "./chat_errors.ts";

Deno.test("refusalSentence() reads every refusal as a sentence, never the JSON body", () => {
  const body = (code: string, message: string, details?: unknown) => ({ error: { code, message, details } });
  const cases: [number | null, unknown, RegExp][] = [
    [409, body("conflict", "An answer is still being written"), /still being written.*Wait for it/],
    [
      400,
      body("invalid_request", "Invalid request: content: Too big", [{ code: "too_big" }]),
      /longer than the 20,000/,
    ],
    [413, body("payload_too_large", "The body is over the 1024 KiB limit"), /longer than the 20,000/],
    [429, body("rate_limited", "Too many messages: at most 20 a minute. Try again in 31 s"), /at most 20 a minute/],
    [503, body("llm_not_configured", "No model"), /no language model is configured/],
    [503, body("database_unavailable", "The database is unavailable"), /unavailable for a moment/],
    [null, undefined, /could not be reached/],
    [500, "<html>", /went wrong on the server \(HTTP 500\)/],
  ];
  for (const [status, parsed, expected] of cases) {
    const sentence = refusalSentence(status, parsed);
    match(sentence, expected);
    match(sentence, /^Your question was not sent: .*\.$/);
    equal(/[{}]|invalid_request|content:/.test(sentence), false, sentence);
  }
});

Deno.test("lengthStatus() counts trimmed text and flags what is over the limit", () => {
  equal(lengthStatus("  hi  ").count, "2 / 20,000");
  equal(lengthStatus("x".repeat(20_000)).over, false);
  equal(lengthStatus("x".repeat(20_001)).over, true);
  equal(lengthStatus("x".repeat(18_500)).near, true);
});

Deno.test("answerFailureSentence() reads as one sentence that says no answer came", () => {
  equal(
    answerFailureSentence("The model endpoint failed (HTTP 500): The fake model is down on purpose"),
    "No answer: the model endpoint failed (HTTP 500): The fake model is down on purpose.",
  );
  equal(
    answerFailureSentence("The answer could not be saved: ask again."),
    "No answer: the answer could not be saved: ask again.",
  );
  equal(answerFailureSentence(""), "No answer: the model's answer broke off.");
});
