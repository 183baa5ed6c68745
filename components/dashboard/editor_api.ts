/**
 * What the dashboard editor's parts share: the API call (a refusal thrown as an Error carrying
 * the server's sentence) and the editor's labels for the API's field paths.
 */
import { formMessage } from "../form_errors.ts";

/** Calls the JSON API: the parsed answer, undefined for 204; throws an Error with the server's message. */
export async function api(url: string, method: string, body?: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return undefined;
  const json = await res.json().catch(() => undefined) as { error?: { message?: string } } | undefined;
  if (!res.ok) throw new Error(json?.error?.message ?? `The server answered ${res.status}: try again`);
  return json;
}

/** The form's labels for the API's field paths, so a refusal names the field the user sees. */
const LABELS: Record<string, string> = {
  title: "Title",
  type: "Type",
  dataset: "Dataset",
  connector_id: "Dataset",
  "data_query.dimensions": "Group by",
  "data_query.order_by": "Group by",
  "data_query.measures": "Of",
  filters: "Filters",
};

/** A refusal as a sentence naming the form's field. */
export const sentence = (e: unknown) => formMessage(e instanceof Error ? e.message : String(e), LABELS);
