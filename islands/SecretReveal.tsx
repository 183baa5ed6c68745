/**
 * A webhook secret shown once, with a copy button: it cannot be read again after this page. When
 * the browser refuses the clipboard (no permission, no secure context), it says so and selects
 * the secret, so it can be copied by hand; it never claims a copy that did not happen.
 */
import { useSignal } from "@preact/signals";
import { useId, useRef } from "preact/hooks";

export default function SecretReveal(props: { secret: string }) {
  const state = useSignal<"idle" | "copied" | "failed">("idle");
  const field = useRef<HTMLInputElement>(null);
  const failedId = useId();
  async function copy() {
    try {
      if (!navigator.clipboard) throw new Error("This browser has no clipboard access here");
      await navigator.clipboard.writeText(props.secret);
      state.value = "copied";
    } catch {
      state.value = "failed";
      field.current?.focus();
      field.current?.select();
    }
  }
  return (
    <div class="secret-reveal" role="status">
      <p>Copy the signing secret now: it is shown only this once.</p>
      <div class="inline-form">
        <input
          ref={field}
          readOnly
          value={props.secret}
          aria-label="Webhook signing secret"
          aria-describedby={state.value === "failed" ? failedId : undefined}
          data-testid="webhook-secret"
          size={40}
        />
        <button type="button" class="button" onClick={copy}>{state.value === "copied" ? "Copied" : "Copy"}</button>
      </div>
      {state.value === "failed" && (
        <p class="alert" id={failedId} data-testid="copy-failed">
          Copy failed: the browser did not allow it. The secret is selected above: copy it by hand.
        </p>
      )}
    </div>
  );
}
