import type { LayoutProps } from "../../lib/fresh/mod.ts";
import type { PageState } from "../../lib/app.ts";
import AccountMenu from "../../islands/AccountMenu.tsx";
import ThemeToggle from "../../islands/ThemeToggle.tsx";
import { Icon, type IconName } from "../../components/Icon.tsx";

/**
 * The shell's sections, in order: one entry a section, active on its own address and every
 * address below it.
 */
const NAV: { href: string; label: string; icon: IconName }[] = [
  { href: "/chat", label: "Chat", icon: "chat" },
  { href: "/dashboards", label: "Dashboards", icon: "dashboards" },
  { href: "/connectors", label: "Connectors", icon: "connectors" },
  { href: "/workflows", label: "Workflows", icon: "workflows" },
  { href: "/settings", label: "Settings", icon: "settings" },
];

const isActive = (path: string, href: string) => path === href || path.startsWith(href + "/");

export default function AppLayout({ Component, url, state }: LayoutProps<PageState>) {
  const user = state.user!;
  return (
    <div class="shell">
      <aside class="sidebar">
        <a class="brand" href="/chat" aria-label="Workspace: chat">
          <span class="brand-mark" aria-hidden="true">◆</span> <span class="brand-name">Workspace</span>
        </a>
        <nav class="nav" aria-label="Main">
          {NAV.map((item) => (
            <a
              href={item.href}
              class={isActive(url.pathname, item.href) ? "nav-link active" : "nav-link"}
              aria-current={isActive(url.pathname, item.href) ? "page" : undefined}
            >
              <Icon name={item.icon} />
              <span class="nav-label">{item.label}</span>
            </a>
          ))}
        </nav>
      </aside>
      <div class="main-column">
        <header class="topbar">
          <div class="topbar-spacer" />
          <ThemeToggle />
          <AccountMenu name={user.name || user.email} email={user.email} />
        </header>
        <main class="content">
          <Component />
        </main>
      </div>
    </div>
  );
}
