/** A browsable reference of the OpenAPI document, rendered on the server: no scripts, no CDN. */
import { renderToString } from "preact-render-to-string";

interface Operation {
  summary?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string }>;
}

interface Document {
  info: { title: string; version: string; description?: string };
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
}

function Schema({ schema }: { schema: unknown }) {
  return <pre class="schema">{JSON.stringify(schema, null, 2)}</pre>;
}

function ApiReference({ doc }: { doc: Document }) {
  const operations = Object.entries(doc.paths ?? {}).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ path, method, op }))
  );
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{doc.info.title} reference</title>
        <meta name="color-scheme" content="light dark" />
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/styles.css" />
      </head>
      <body class="reference">
        <main class="reference-main">
          <h1>
            {doc.info.title} <small>v{doc.info.version}</small>
          </h1>
          <p>{doc.info.description}</p>
          <p>
            Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a>
          </p>
          <nav class="reference-toc">
            {operations.map(({ path, method }) => (
              <a href={`#${method}-${path}`}>
                <code class={`method method-${method}`}>{method.toUpperCase()}</code> /api{path}
              </a>
            ))}
          </nav>
          {operations.map(({ path, method, op }) => (
            <section class="operation" id={`${method}-${path}`}>
              <h2>
                <code class={`method method-${method}`}>{method.toUpperCase()}</code> <code>/api{path}</code>
              </h2>
              <p>{op.summary}</p>
              {op.parameters?.length
                ? (
                  <p>
                    Parameters:{" "}
                    {op.parameters.map((p) => `${p.name} (${p.in}${p.required ? ", required" : ""})`).join(", ")}
                  </p>
                )
                : null}
              {op.requestBody?.content?.["application/json"]?.schema
                ? (
                  <details>
                    <summary>Request body</summary>
                    <Schema schema={op.requestBody.content["application/json"].schema} />
                  </details>
                )
                : null}
              <ul>
                {Object.entries(op.responses ?? {}).map(([status, r]) => (
                  <li>
                    <code>{status}</code> {r.description}
                  </li>
                ))}
              </ul>
            </section>
          ))}
          <h2>Schemas</h2>
          {Object.entries(doc.components?.schemas ?? {}).map(([name, schema]) => (
            <details id={`schema-${name}`}>
              <summary>{name}</summary>
              <Schema schema={schema} />
            </details>
          ))}
        </main>
      </body>
    </html>
  );
}

/** The reference page's HTML. */
export function renderApiReference(doc: unknown): string {
  return "<!DOCTYPE html>" + renderToString(<ApiReference doc={doc as Document} />);
}
