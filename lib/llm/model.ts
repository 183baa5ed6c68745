/**
 * Which model a workspace talks to: the environment's (OPENAI_BASE_URL, LLM_MODEL, OPENAI_API_KEY)
 * with the workspace's own settings laid over it, turned into an AI SDK model over the OpenAI
 * chat-completions API, which OpenAI, Ollama, vLLM and llama.cpp's server all speak.
 */
import { createOpenAI } from "@ai-sdk/openai";
import type { LanguageModel } from "ai";
import { ApiError } from "../http/errors.ts";
import { type AllowList, guardedFetch, operatorFetch } from "../net/outbound.ts";

/**
 * Backstops beside the SDK's own LLM_TIMEOUT_MS: a whole answer within 10 minutes, and no read of
 * it waiting more than 5. Kept in timers that garbage collection cannot drop (lib/net/deadline.ts).
 */
const MODEL_CALL_LIMITS = { timeoutMs: 10 * 60_000, idleMs: 5 * 60_000, maxBytes: 64 * 1024 * 1024 };

/** Used when an endpoint is configured without LLM_MODEL. */
export const DEFAULT_MODEL = "gpt-4.1-mini";

/** A resolved model endpoint. `source` says whose settings won. */
export interface ModelSettings {
  baseUrl?: string;
  model: string;
  apiKey?: string;
  source: "workspace" | "environment";
  /** The base URL came from a workspace (user input), not the operator. */
  userEndpoint: boolean;
}

/** A workspace's overrides, with its API key already decrypted. */
export interface WorkspaceModelOverrides {
  baseUrl?: string | null;
  model?: string | null;
  apiKey?: string | null;
}

/**
 * Lays a workspace's overrides over the environment's settings. A workspace that names its own
 * base URL never receives the environment's API key: that key is for the operator's endpoint only.
 * Undefined when neither gives an endpoint (an API key for OpenAI, or a base URL).
 */
export function resolveModelSettings(
  env: { apiKey?: string; baseUrl?: string; model?: string },
  workspace: WorkspaceModelOverrides | undefined,
): ModelSettings | undefined {
  const own = workspace ?? {};
  const source = own.baseUrl || own.apiKey || own.model ? "workspace" : "environment";
  const baseUrl = own.baseUrl || env.baseUrl;
  const apiKey = own.baseUrl ? own.apiKey || undefined : own.apiKey || env.apiKey;
  if (!baseUrl && !apiKey) return undefined;
  return {
    baseUrl,
    apiKey,
    model: own.model || env.model || DEFAULT_MODEL,
    source,
    userEndpoint: Boolean(own.baseUrl),
  };
}

/** The error chat answers with while no model is configured. */
export function llmNotConfigured(): ApiError {
  return new ApiError(
    503,
    "llm_not_configured",
    "No language model is configured: set OPENAI_API_KEY (and OPENAI_BASE_URL for another OpenAI-compatible " +
      "server such as Ollama), or add a model in Settings",
    { retryAfter: 60 },
  );
}

/**
 * The AI SDK model for `settings`. The operator's endpoint is trusted (no address check); a
 * workspace's endpoint is user input, so its requests pass the outbound guard like any connector's
 * and go to the address that was checked. Both get the same time and size limits.
 */
export function languageModel(
  settings: ModelSettings,
  options: { fetch: typeof fetch; allow: AllowList },
): LanguageModel {
  // The key travels as Authorization (dropped across origins anyway); naming its value as a secret
  // also drops it from any other header a provider might put it in.
  const limits = { ...MODEL_CALL_LIMITS, secretValues: settings.apiKey ? [settings.apiKey] : [] };
  const fetcher = settings.userEndpoint
    ? guardedFetch(options.allow, limits, options.fetch)
    : operatorFetch(limits, options.fetch);
  const provider = createOpenAI({
    baseURL: settings.baseUrl,
    // Local servers (Ollama, llama.cpp) take any key; the provider insists on one.
    apiKey: settings.apiKey ?? "not-needed",
    fetch: fetcher,
  });
  return provider.chat(settings.model);
}
