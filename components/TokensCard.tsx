/** Settings: API tokens: make one (its secret shown once), see them, revoke them. */
import type { TokenInfo } from "../db/queries/api_tokens.ts";
import ConfirmButton from "../islands/ConfirmButton.tsx";
import CopyButton from "../islands/CopyButton.tsx";
import { revokeToken } from "./confirmations.ts";
import { formatWhen } from "./format.ts";

const day = formatWhen;

export function TokensCard(props: { tokens: TokenInfo[]; newToken?: string; error?: string }) {
  return (
    <div class="card" id="tokens">
      <h2>API tokens</h2>
      <p class="muted small">
        Send a token as <code>Authorization: Bearer …</code> to call the <a href="/api/docs">REST API</a>.
      </p>
      {props.error && <p class="alert" role="alert">{props.error}</p>}
      {props.newToken && (
        <div class="notice" role="status">
          <strong>Copy your new token now: it will not be shown again.</strong>
          <div class="secret-row">
            <code class="secret" id="new-token" data-testid="new-token">{props.newToken}</code>
            <CopyButton value={props.newToken} targetId="new-token" />
          </div>
        </div>
      )}
      <form method="post" class="inline-form">
        <input type="hidden" name="action" value="create" />
        <input
          type="text"
          name="name"
          placeholder="Token name, e.g. CI"
          required
          maxLength={100}
          aria-label="Token name"
        />
        <button type="submit" class="button primary">Create token</button>
      </form>
      {props.tokens.length > 0 && (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Token</th>
                <th class="hide-narrow">Created</th>
                <th class="hide-narrow">Last used</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {props.tokens.map((t) => (
                <tr>
                  <td>{t.name}</td>
                  <td>
                    <code>{t.prefix}…</code>
                  </td>
                  <td class="hide-narrow">{day(t.createdAt)}</td>
                  <td class="hide-narrow">{t.lastUsedAt ? day(t.lastUsedAt) : "never"}</td>
                  <td class="row-action">
                    <ConfirmButton label="Revoke…" confirmation={revokeToken(t)} testId="revoke-token" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
