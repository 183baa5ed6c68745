/**
 * The connector form's type tabs. Each is a link to the same page with another type (so they work
 * without JavaScript); a click carries the name typed so far in the link, so switching from
 * PostgreSQL to CSV keeps it. Secrets are never carried: only the name goes into the address.
 */
export default function ConnectorTypeTabs(
  props: { tabs: { type: string; label: string }[]; current: string; name: string },
) {
  const href = (type: string, name: string) =>
    `/connectors?${new URLSearchParams(name.trim() ? { type, name: name.trim() } : { type })}#new`;
  return (
    <nav class="tabs" aria-label="Connector type">
      {props.tabs.map(({ type, label }) => (
        <a
          key={type}
          href={href(type, props.name)}
          class={type === props.current ? "tab active" : "tab"}
          aria-current={type === props.current ? "page" : undefined}
          onClick={(event) => {
            const typed = document.querySelector<HTMLInputElement>("#new input[name=name]")?.value ?? "";
            event.currentTarget.href = href(type, typed);
          }}
        >
          {label}
        </a>
      ))}
    </nav>
  );
}
