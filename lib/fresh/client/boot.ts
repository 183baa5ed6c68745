/** Browser side of islands: finds each `<fresh-island>` and hydrates it with its props. */
import { type ComponentType, h, hydrate } from "preact";
import { deserialize } from "../serialize.ts";

/** Hydrates every island on the page; `islands` maps island names to their components. */
export function boot(islands: Record<string, ComponentType>): void {
  const json = document.getElementById("__fresh_props")?.textContent ?? "[]";
  const props = deserialize(json) as Record<string, unknown>[];
  for (const el of document.querySelectorAll<HTMLElement>("fresh-island")) {
    const component = islands[el.dataset.island ?? ""];
    if (!component) continue;
    hydrate(h(component, props[Number(el.dataset.props)] ?? {}), el);
  }
  document.documentElement.dataset.hydrated = "true";
}
