/** A chart the server drew (Vega's SVG), shown in the editor's tiles and the add-widget preview. */
export function ChartSvg(props: { svg: string; class?: string }) {
  // deno-lint-ignore react-no-danger -- the server's SVG, drawn by Vega, which escapes the text it draws
  return <div class={props.class ?? "chart"} dangerouslySetInnerHTML={{ __html: props.svg }} />;
}
