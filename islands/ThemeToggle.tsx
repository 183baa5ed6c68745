/** Cycles the theme: system → light → dark. Remembered in localStorage, applied before paint by _app. */
import { useSignal, useSignalEffect } from "@preact/signals";
import { Icon } from "../components/Icon.tsx";

type Theme = "system" | "light" | "dark";
const NEXT: Record<Theme, Theme> = { system: "light", light: "dark", dark: "system" };

export default function ThemeToggle() {
  // The server cannot know the stored choice; the browser reads it on hydration.
  const theme = useSignal<Theme>("system");
  useSignalEffect(() => {
    const stored = localStorage.getItem("theme");
    if (stored === "light" || stored === "dark") theme.value = stored;
  });

  function cycle() {
    const next = NEXT[theme.value];
    theme.value = next;
    if (next === "system") {
      localStorage.removeItem("theme");
      delete document.documentElement.dataset.theme;
    } else {
      localStorage.setItem("theme", next);
      document.documentElement.dataset.theme = next;
    }
  }

  return (
    <button
      type="button"
      class="icon-button theme-toggle"
      onClick={cycle}
      title={`Theme: ${theme.value}`}
      aria-label={`Theme: ${theme.value}. Change theme`}
      data-theme-choice={theme.value}
    >
      <Icon name={theme.value === "system" ? "system" : theme.value === "light" ? "sun" : "moon"} />
    </button>
  );
}
