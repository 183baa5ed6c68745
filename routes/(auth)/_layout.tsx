import type { LayoutProps } from "../../lib/fresh/mod.ts";
import ThemeToggle from "../../islands/ThemeToggle.tsx";

export default function AuthLayout({ Component }: LayoutProps) {
  return (
    <div class="auth-page">
      <header class="auth-header">
        <a class="brand" href="/">
          <span class="brand-mark" aria-hidden="true">◆</span> Workspace
        </a>
        <ThemeToggle />
      </header>
      <main class="center-page">
        <Component />
      </main>
    </div>
  );
}
