/**
 * The account menu. A `<details>` element, so it opens and signs out before hydration too;
 * the island adds what browsers lack: closing on Escape or a click elsewhere.
 */
import { useEffect, useRef } from "preact/hooks";

interface Props {
  name: string;
  email: string;
}

export default function AccountMenu({ name, email }: Props) {
  const root = useRef<HTMLDetailsElement>(null);

  useEffect(() => {
    const close = (event: Event) => {
      const outside = event instanceof KeyboardEvent
        ? event.key === "Escape"
        : !root.current?.contains(event.target as Node);
      // The element keeps its own open state (it works before hydration); the island only closes it.
      if (outside && root.current) root.current.open = false;
    };
    document.addEventListener("click", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("click", close);
      document.removeEventListener("keydown", close);
    };
  }, []);

  const initials = name.split(/[\s@.]+/).filter(Boolean).slice(0, 2).map((p) => p[0]!.toUpperCase()).join("");
  return (
    <details class="account-menu" ref={root}>
      <summary class="avatar-button" aria-label={`Account menu for ${name}`}>
        <span class="avatar" aria-hidden="true">{initials}</span>
        <span class="account-name">{name}</span>
      </summary>
      <div class="menu" role="menu">
        <div class="menu-header">
          <strong>{name}</strong>
          <span class="muted small">{email}</span>
        </div>
        <a role="menuitem" href="/settings">Settings</a>
        <a role="menuitem" href="/api/docs">API reference</a>
        <form method="post" action="/logout">
          <button type="submit" role="menuitem" class="menu-item-button">Sign out</button>
        </form>
      </div>
    </details>
  );
}
