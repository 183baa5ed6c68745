/** The card a section shows before it has anything in it. */
import type { ComponentChildren } from "preact";
import { Icon, type IconName } from "./Icon.tsx";
import { formatWhen } from "./format.ts";

export function EmptyState(props: { icon: IconName; title: string; children: ComponentChildren }) {
  return (
    <div class="card empty-state">
      <div class="empty-icon">
        <Icon name={props.icon} size={40} />
      </div>
      <h2>{props.title}</h2>
      <p class="muted">{props.children}</p>
    </div>
  );
}

/** A list of recent items with names and dates. */
export function ItemList(props: { items: { id: string; name: string; updatedAt: Date }[] }) {
  return (
    <ul class="card item-list">
      {props.items.map((item) => (
        <li>
          <span class="item-name">{item.name}</span>
          <time class="muted small" dateTime={item.updatedAt.toISOString()}>
            {formatWhen(item.updatedAt)}
          </time>
        </li>
      ))}
    </ul>
  );
}
