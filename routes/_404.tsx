export default function NotFound() {
  return (
    <main class="center-page">
      <div class="card narrow">
        <h1>Page not found</h1>
        <p class="muted">The address may be mistyped, or the page has moved.</p>
        <a class="button" href="/">Go to your workspace</a>
      </div>
    </main>
  );
}
