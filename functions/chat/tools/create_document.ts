/** create_document: a markdown document artifact (a report, a summary, notes). */
import { tool, zodSchema } from "ai";
import { z } from "zod";
import { createDocument } from "../../artifacts.ts";
import { artifactSummary, type ChatToolContext, toolStep } from "./context.ts";

// Made once: the SDK derives (and caches) the JSON schema the model sees from it.
const input = zodSchema(z.object({
  name: z.string().min(1).max(200).describe("A short title for the document"),
  markdown: z.string().min(1).max(100_000),
}));

export function createDocumentTool(ctx: ChatToolContext) {
  return tool({
    description: "Write a markdown document artifact, such as a report or summary of findings.",
    inputSchema: input,
    execute: ({ name, markdown }) =>
      toolStep(
        ctx,
        "create_document",
        async () => artifactSummary(await createDocument(ctx.deps, ctx, { name, markdown })),
      ),
  });
}
