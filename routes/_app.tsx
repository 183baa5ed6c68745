import type { LayoutProps } from "../lib/fresh/mod.ts";
import { asset } from "../lib/fresh/mod.ts";
import { pageTitle } from "../components/page_title.ts";

// Runs before first paint so a stored dark theme never flashes light.
const THEME_SCRIPT =
  `try{var t=localStorage.getItem("theme");if(t==="light"||t==="dark")document.documentElement.dataset.theme=t}catch(e){}`;

export default function App({ Component, nonce, url, data, status }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{pageTitle(url, data, status)}</title>
        <link rel="icon" href={asset("/favicon.svg")} type="image/svg+xml" />
        <link rel="stylesheet" href={asset("/styles.css")} />
        <script
          nonce={nonce}
          // deno-lint-ignore react-no-danger -- a constant, nonce-carrying script that must run before paint
          dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }}
        />
        <script src={asset("/busy.js")} nonce={nonce} defer />
      </head>
      <body>
        <Component />
      </body>
    </html>
  );
}
