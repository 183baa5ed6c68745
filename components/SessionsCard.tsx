/** Settings: the browsers signed in to this account, and a way to sign the others out. */
import ConfirmButton from "../islands/ConfirmButton.tsx";
import { signOutOthers } from "./confirmations.ts";
import { formatWhen } from "./format.ts";

/** A live session as the settings page shows it. */
export interface SessionRow {
  id: string;
  lastSeenAt: Date;
  userAgent: string | null;
  current: boolean;
}

// First match wins: Edge and Chrome also say "Safari"; iPhones say "like Mac OS X"; Android says "Linux".
const BROWSERS: [RegExp, string][] = [
  [/Edg\//, "Edge"],
  [/Chrome\//, "Chrome"],
  [/Firefox\//, "Firefox"],
  [/Safari\//, "Safari"],
];
const SYSTEMS: [RegExp, string][] = [
  [/Windows/, "Windows"],
  [/iPhone|iPad/, "iOS"],
  [/Mac OS X/, "macOS"],
  [/Android/, "Android"],
  [/Linux/, "Linux"],
];

/** A short name for a browser from its user agent, e.g. "Chrome on Linux". */
export function describeAgent(agent: string | null): string {
  if (!agent) return "Unknown browser";
  const browser = BROWSERS.find(([re]) => re.test(agent))?.[1] ?? "A client";
  const system = SYSTEMS.find(([re]) => re.test(agent))?.[1];
  return system ? `${browser} on ${system}` : browser;
}

export function SessionsCard({ sessions }: { sessions: SessionRow[] }) {
  return (
    <div class="card" id="sessions">
      <h2>Sessions</h2>
      <ul class="plain-list" data-testid="sessions">
        {sessions.map((s) => (
          <li>
            {describeAgent(s.userAgent)} <span class="muted small">last active {formatWhen(s.lastSeenAt)}</span>
            {s.current && <span class="badge">this browser</span>}
          </li>
        ))}
      </ul>
      {sessions.length > 1 && (
        <div class="inline-form">
          <ConfirmButton
            label="Sign out of all other sessions…"
            confirmation={signOutOthers()}
            class="button danger"
            testId="sign-out-others"
          />
        </div>
      )}
    </div>
  );
}
