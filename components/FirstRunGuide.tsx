/**
 * What an empty workspace offers first: data in one click (the bundled Seattle weather sample, or
 * a connector of one's own), then a question. Plain forms and links: it works before any script.
 */
export function FirstRunGuide(props: { configured: boolean }) {
  return (
    <div class="card guide" data-testid="first-run">
      <h2>Start here</h2>
      <ol class="guide-steps">
        <li>
          <strong>Connect data.</strong> Try the sample: 1,461 days of Seattle weather, ready in a few seconds.
          <div class="button-row">
            <form method="post" action="/connectors">
              <input type="hidden" name="action" value="sample" />
              <button type="submit" class="button primary" data-testid="add-sample" data-busy-label="Adding…">
                Add the sample dataset
              </button>
            </form>
            <a class="button" href="/connectors">Connect your own</a>
          </div>
        </li>
        <li>
          <strong>Ask a question</strong> below, e.g. “Which weather is most common in Seattle? Chart it.”
          {!props.configured && " (Add a language model first: see the notice above.)"}
        </li>
      </ol>
    </div>
  );
}
