import type { Confirmation } from "./confirm_types.ts";

/**
 * The question and its form: inside the dialog, and alone on the confirmation page. With
 * `onConfirm`, the yes calls it instead of posting (an island that does the work through the API).
 */
export function ConfirmForm(props: { confirmation: Confirmation; onCancel?: () => void; onConfirm?: () => void }) {
  const c = props.confirmation;
  const { onConfirm } = props;
  return (
    <form
      method="post"
      action={c.action}
      class="confirm-form"
      onSubmit={onConfirm && ((event) => {
        event.preventDefault();
        onConfirm();
      })}
    >
      <h2 id={`${c.id}-title`}>{c.title}</h2>
      <p>{c.message}</p>
      {Object.entries(c.fields).map(([name, value]) => <input key={name} type="hidden" name={name} value={value} />)}
      <div class="confirm-actions">
        {props.onCancel
          ? <button type="button" class="button" onClick={props.onCancel}>Cancel</button>
          : <a class="button" href={c.cancelHref}>Cancel</a>}
        <button type="submit" class="button danger-solid" data-testid="confirm">{c.confirmLabel}</button>
      </div>
    </form>
  );
}
