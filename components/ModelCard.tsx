/** Settings: the workspace's language model: the one in effect, and a form to use another. */
import type { LlmSettingsView } from "../functions/llm_settings.ts";

export function ModelCard(
  props: { settings: LlmSettingsView; error?: string; values?: { base_url: string; model: string } },
) {
  const { settings } = props;
  const baseUrl = props.values?.base_url ?? settings.base_url ?? "";
  const model = props.values?.model ?? settings.model ?? "";
  const effective = settings.effective;
  return (
    <div class="card" id="model">
      <h2>Language model</h2>
      {effective
        ? (
          <p data-testid="model-effective">
            Chats use <code>{effective.model}</code> {effective.base_url
              ? (
                <>
                  at <code>{effective.base_url}</code>
                </>
              )
              : "on the server's model endpoint"}{" "}
            <span class="badge">{effective.source === "workspace" ? "this workspace's" : "server default"}</span>
          </p>
        )
        : (
          <p class="notice warning">
            No model is configured yet: chat stays off until you add one here or on the server.
          </p>
        )}
      <p class="muted small">
        Any OpenAI-compatible endpoint works: OpenAI, Ollama (<code>http://localhost:11434/v1</code>), vLLM, llama.cpp's
        server. The key is stored encrypted and never shown again; leave it blank to keep the stored one.
      </p>
      {props.error && <p class="alert" role="alert">{props.error}</p>}
      <form method="post" class="form form-grid model-form">
        <input type="hidden" name="action" value="llm_save" />
        <label>
          Base URL
          <input type="url" name="base_url" value={baseUrl} placeholder="https://api.openai.com/v1" />
        </label>
        <label>
          Model
          <input type="text" name="model" value={model} placeholder="gpt-4.1-mini" maxLength={200} />
        </label>
        <label>
          API key {settings.has_api_key && <span class="muted small">(stored)</span>}
          <input
            type="password"
            name="api_key"
            autocomplete="off"
            placeholder={settings.has_api_key ? "••••••••" : ""}
          />
        </label>
        <div class="form-actions">
          <button type="submit" class="button primary" data-busy-label="Saving…">Save model</button>
        </div>
      </form>
      {(settings.base_url || settings.model || settings.has_api_key) && (
        <form method="post">
          <input type="hidden" name="action" value="llm_clear" />
          <button type="submit" class="button">Use the server's default instead</button>
        </form>
      )}
    </div>
  );
}
