/**
 * Unsets, in this process, every environment variable that is set to the empty string (or only
 * spaces), as `.env` files and container tools leave them. Imported first by `main.ts`, for its
 * side effect: libraries that read the environment themselves when they load (the OpenAI
 * provider reads OPENAI_BASE_URL and refuses "") must see such a variable as unset, as
 * `loadConfig` does.
 */
try {
  for (const [name, value] of Object.entries(Deno.env.toObject())) {
    if (value.trim() === "") Deno.env.delete(name);
  }
} catch {
  // Without permission to change the environment (a sandbox), loadConfig still reads "" as unset.
}
