/** Path helpers from Node's built-ins (`@std/path` is JSR-only here). */
export { join } from "node:path";
export { pathToFileURL as toFileUrl } from "node:url";
