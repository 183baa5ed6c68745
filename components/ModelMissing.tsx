/** What to do while no model is configured, said where the chat would be, with the exact variables. */
export function ModelMissing() {
  return (
    <div class="notice warning" role="note" data-testid="llm-missing">
      <p>
        <strong>Chat needs a language model.</strong> Add one for this workspace in{" "}
        <a href="/settings#model">Settings → Language model</a>, or start the server with <code>OPENAI_API_KEY</code>
        {" "}
        set; for a local model (Ollama, llama.cpp) set <code>OPENAI_BASE_URL=http://localhost:11434/v1</code> and{" "}
        <code>LLM_MODEL=llama3.1</code> instead.
      </p>
    </div>
  );
}
