/**
 * A destructive action that asks first. Rendered on the server as a link to the action's plain
 * confirmation page (/confirm/:kind, a GET page holding the same POST form), so it works without
 * JavaScript; once hydrated, the click opens a modal `<dialog>` with that form instead. Escape or
 * Cancel closes the dialog, and focus returns to the button (the browser does both for `<dialog>`).
 *
 * Reuse: describe the action with a `Confirmation` (components/confirmations.ts builds them, and
 * registers the kind so the no-JavaScript page can build the same one), then render
 * `<ConfirmButton label="Delete…" confirmation={…} />`. Inside an island that does the work itself
 * (through the API, keeping its state), pass `onConfirm`: the yes closes the dialog and calls it
 * instead of posting the form.
 */
import { useRef } from "preact/hooks";
import type { Confirmation } from "../components/confirm_types.ts";
import { ConfirmForm } from "../components/ConfirmForm.tsx";

export default function ConfirmButton(
  props: { label: string; confirmation: Confirmation; class?: string; testId?: string; onConfirm?: () => void },
) {
  const dialog = useRef<HTMLDialogElement>(null);
  const c = props.confirmation;
  return (
    <>
      <a
        href={c.pageHref}
        class={props.class ?? "button danger small"}
        role="button"
        data-testid={props.testId}
        onClick={(event) => {
          if (!dialog.current?.showModal) return; // no <dialog> support: the page does it
          event.preventDefault();
          dialog.current.showModal();
        }}
      >
        {props.label}
      </a>
      <dialog ref={dialog} class="confirm-dialog" aria-labelledby={`${c.id}-title`}>
        <ConfirmForm
          confirmation={c}
          onCancel={() => dialog.current?.close()}
          onConfirm={props.onConfirm && (() => {
            dialog.current?.close();
            props.onConfirm!();
          })}
        />
      </dialog>
    </>
  );
}
