/**
 * Islands on the server: a Preact `options.vnode` hook swaps each island for a
 * `<fresh-island>` element that records the island's name and props, so the browser can
 * hydrate exactly those parts. An island inside an island renders as ordinary markup; the
 * outer one hydrates it.
 */
import { type ComponentType, createContext, h, options, type VNode } from "preact";
import { useContext } from "preact/hooks";
import { serialize, SerializeError } from "./serialize.ts";

/** A registered island: its name (the file name) and component. */
export interface Island {
  name: string;
  file: string;
  component: ComponentType<Record<string, unknown>>;
}

/** What one page render collected: the islands it used and their props, in order. */
export interface IslandRender {
  used: { island: Island; props: Record<string, unknown> }[];
}

const byComponent = new Map<unknown, Island>();
let current: IslandRender | undefined;
let creatingInner = false;
const InsideIsland = createContext(false);

/** Makes `islands` known to server rendering. */
export function registerIslands(islands: Island[]): void {
  for (const island of islands) byComponent.set(island.component, island);
}

/** Runs a synchronous render and returns what islands it used. */
export function collectIslands<T>(render: () => T): { result: T; islands: IslandRender } {
  const previous = current;
  current = { used: [] };
  try {
    const result = render();
    return { result, islands: current };
  } finally {
    current = previous;
  }
}

/**
 * Serializes the props of a render's islands in one pass, so a signal handed to two islands
 * is one signal in the browser too; an error names the island and the prop.
 */
export function serializeIslandProps(render: IslandRender): string {
  try {
    return serialize(render.used.map((u) => u.props));
  } catch (error) {
    if (!(error instanceof SerializeError)) throw error;
    const [, index, prop] = error.path.match(/^\[(\d+)\]\.?(.*)$/) ?? [];
    const island = render.used[Number(index)]?.island.name;
    throw new Error(`Cannot render island "${island}": Cannot serialize prop "${prop}": ${error.detail}`, {
      cause: error,
    });
  }
}

function IslandRoot({ island, props }: { island: Island; props: Record<string, unknown> }) {
  const insideIsland = useContext(InsideIsland);
  creatingInner = true;
  const inner = h(island.component, props);
  creatingInner = false;
  if (insideIsland || !current) return inner;
  const index = current.used.push({ island, props }) - 1;
  return h(
    InsideIsland.Provider,
    { value: true },
    h("fresh-island", { "data-island": island.name, "data-props": String(index) }, inner),
  );
}

const previousHook = options.vnode;
options.vnode = (vnode: VNode) => {
  if (!creatingInner && typeof vnode.type === "function") {
    const island = byComponent.get(vnode.type);
    if (island) {
      const props = vnode.props as Record<string, unknown>;
      Object.assign(vnode, { type: IslandRoot, props: { island, props } });
    }
  }
  previousHook?.(vnode);
};
