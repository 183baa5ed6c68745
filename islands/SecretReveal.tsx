/** A webhook secret shown once, with a copy button: it cannot be read again after this page. */
import { useSignal } from "@preact/signals";

export default function SecretReveal(props: { secret: string }) {
  const copied = useSignal(false);
  async function copy() {
    await navigator.clipboard?.writeText(props.secret).catch(() => {});
    copied.value = true;
  }
  return (
    <div class="secret-reveal" role="status">
      <p>Copy the signing secret now: it is shown only this once.</p>
      <div class="inline-form">
        <input
          readOnly
          value={props.secret}
          aria-label="Webhook signing secret"
          data-testid="webhook-secret"
          size={40}
        />
        <button type="button" class="button" onClick={copy}>{copied.value ? "Copied" : "Copy"}</button>
      </div>
    </div>
  );
}
