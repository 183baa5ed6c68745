/**
 * /confirm/:kind?id=…: a destructive action's question as a page of its own, with the POST form
 * that does it. The ConfirmButton island shows the same form in a dialog; this page is where its
 * link leads when JavaScript is off (or has not loaded yet).
 */
import type { FreshContext, PageProps } from "../../../lib/fresh/mod.ts";
import type { PageState } from "../../../lib/app.ts";
import { type Confirmation, CONFIRMATIONS } from "../../../components/confirmations.ts";
import { ConfirmForm } from "../../../components/ConfirmForm.tsx";
import { notFound } from "../../../lib/http/errors.ts";

interface Data {
  confirmation: Confirmation;
  pageTitle: string;
}

export const handler = {
  async GET(ctx: FreshContext<PageState>): Promise<Data> {
    const load = Object.hasOwn(CONFIRMATIONS, ctx.params.kind) ? CONFIRMATIONS[ctx.params.kind] : undefined;
    if (!load) throw notFound("Page");
    const confirmation = await load(ctx);
    return { confirmation, pageTitle: confirmation.title };
  },
};

export default function ConfirmPage({ data }: PageProps<Data>) {
  return (
    <section class="section confirm-page">
      <div class="card narrow">
        <ConfirmForm confirmation={data.confirmation} />
      </div>
    </section>
  );
}
