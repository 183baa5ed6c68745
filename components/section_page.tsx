/** The four workspace sections share one shape: a header, then the items or an empty state. */
import type { FreshContext, PageProps } from "../lib/fresh/mod.ts";
import type { PageState } from "../lib/app.ts";
import { asUser } from "../db/rls.ts";
import { listRecent, type SectionKind } from "../db/queries/recent.ts";
import { EmptyState, ItemList } from "./EmptyState.tsx";
import type { IconName } from "./Icon.tsx";

interface SectionData {
  items: { id: string; name: string; updatedAt: Date }[];
}

/** A route module (handler + page) for a section. */
export function sectionRoute(
  kind: SectionKind,
  copy: { title: string; lead: string; icon: IconName; empty: string; emptyText: string },
) {
  return {
    handler: {
      async GET(ctx: FreshContext<PageState>): Promise<SectionData> {
        const items = await asUser(ctx.state.deps.db, ctx.state.user!.id, (tx) => listRecent(tx, kind));
        return { items };
      },
    },
    Page({ data }: PageProps<SectionData>) {
      return (
        <section class="section">
          <header class="section-header">
            <div>
              <h1>{copy.title}</h1>
              <p class="muted">{copy.lead}</p>
            </div>
          </header>
          {data.items.length === 0
            ? <EmptyState icon={copy.icon} title={copy.empty}>{copy.emptyText}</EmptyState>
            : <ItemList items={data.items} />}
        </section>
      );
    },
  };
}
