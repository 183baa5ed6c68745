import type { PageProps } from "../lib/fresh/mod.ts";

export default function ServerError({ error }: PageProps) {
  const unavailable = (error as { code?: string } | undefined)?.code === "database_unavailable";
  return (
    <main class="center-page">
      <div class="card narrow">
        <h1>{unavailable ? "We can't reach the database" : "Something went wrong"}</h1>
        <p class="muted">
          {unavailable
            ? "It should be back in a moment: try again shortly."
            : "It has been logged. Try again, or go back."}
        </p>
        <a class="button" href="/">Back to the workspace</a>
      </div>
    </main>
  );
}
