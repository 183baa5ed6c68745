import type { ComponentChildren, JSX } from "preact";

/**
 * A button for an island's request: while `busy` it is disabled, aria-busy (styles.css draws the
 * spinner, still under reduced motion) and says `busyLabel` if given. The same look as the plain
 * forms' busy state (static/busy.js).
 */
export function BusyButton(
  props: JSX.ButtonHTMLAttributes<HTMLButtonElement> & {
    busy: boolean;
    busyLabel?: string;
    children: ComponentChildren;
  },
) {
  const { busy, busyLabel, children, disabled, ...rest } = props;
  return (
    <button type="button" {...rest} disabled={busy || Boolean(disabled)} aria-busy={busy ? "true" : undefined}>
      {busy && busyLabel ? busyLabel : children}
    </button>
  );
}
