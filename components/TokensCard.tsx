/** Settings: API tokens: make one (its secret shown once), see them, revoke them. */
import type { TokenInfo } from "../db/queries/api_tokens.ts";

const day = (d: Date) => d.toISOString().slice(0, 10);

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
          <code class="secret" data-testid="new-token">{props.newToken}</code>
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
                <th>Created</th>
                <th>Last used</th>
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
                  <td>{day(t.createdAt)}</td>
                  <td>{t.lastUsedAt ? day(t.lastUsedAt) : "never"}</td>
                  <td>
                    <form method="post">
                      <input type="hidden" name="action" value="revoke" />
                      <input type="hidden" name="id" value={t.id} />
                      <button type="submit" class="button danger small">Revoke</button>
                    </form>
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
