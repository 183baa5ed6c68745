/** Copies a value to the clipboard and says so; where the clipboard is refused, it selects the text to copy by hand. */
import { useSignal } from "@preact/signals";

export default function CopyButton(props: { value: string; label?: string; targetId?: string }) {
  const state = useSignal<"idle" | "copied" | "failed">("idle");
  async function copy() {
    try {
      await navigator.clipboard.writeText(props.value);
      state.value = "copied";
    } catch {
      const target = props.targetId ? document.getElementById(props.targetId) : null;
      if (target) getSelection()?.selectAllChildren(target);
      state.value = "failed";
    }
    setTimeout(() => state.value = "idle", 2500);
  }
  return (
    <button type="button" class="button small" onClick={copy} data-testid="copy" aria-live="polite">
      {state.value === "copied" ? "Copied" : state.value === "failed" ? "Press Ctrl+C to copy" : props.label ?? "Copy"}
    </button>
  );
}
