/**
 * Which SQL the source endpoint accepts, decided on the statement's syntax tree from PostgreSQL's
 * own parser (libpg-query, the server's grammar compiled to WebAssembly), never on its text: quotes,
 * dollar quotes, comments and nested statements are the parser's problem, as on the server.
 */
import { parse } from "libpg-query";
import { ApiError } from "../lib/http/errors.ts";

/**
 * Functions refused by name (the last part of a qualified name, case folded), and why. A
 * read-only transaction does not stop them: each reaches outside the one query's own rows.
 * Anything the role may not call already fails on the source; these are refused even where it may.
 */
const REFUSED_FUNCTIONS: { pattern: RegExp; why: string }[] = [
  { pattern: /^dblink/, why: "it opens connections to other databases, which are not read-only" },
  {
    pattern: /^(lo_|lo(open|close|read|write|creat|seek|seek64|tell|tell64|truncate|truncate64|unlink|import|export)$)/,
    why: "large objects are files inside the database, read and written outside the query",
  },
  {
    pattern: /^pg_(read_|ls_|stat_file$|file_|logdir_ls$|current_logfile$)/,
    why: "it reads the database server's files",
  },
  {
    pattern:
      /^pg_(terminate_backend|cancel_backend|signal_backend|reload_conf|rotate_logfile|promote|switch_wal|create_restore_point|log_backend_memory_contexts)$/,
    why: "it signals or controls the database server and its other sessions",
  },
  { pattern: /^set_config$/, why: "it changes settings (a role or read-only mode among them)" },
  { pattern: /^pg_(try_)?advisory_/, why: "advisory locks outlive the query and block other sessions" },
  { pattern: /^(pg_notify|pg_logical_emit_message)$/, why: "it sends messages to other sessions" },
  { pattern: /^(nextval|setval)$/, why: "sequences change outside any transaction" },
  {
    pattern: /^(txid_current|pg_current_xact_id)$/,
    why: "it assigns the session a transaction id, which writes to the server's state",
  },
  {
    pattern:
      /^(query_to_xml|query_to_xml_and_xmlschema|query_to_xmlschema|cursor_to_xml|cursor_to_xmlschema|ts_stat|ts_rewrite)$/,
    why: "it runs SQL given as text, which this check cannot see",
  },
  {
    pattern:
      /^pg_(create|drop|copy)_\w*replication_slot$|^pg_replication_origin_|^pg_stat_reset|^pg_import_system_collations$/,
    why: "it changes the server's state",
  },
];

/** Statement kinds that only read, at the top of the tree (VALUES and TABLE parse as SelectStmt). */
const READ_STATEMENTS = new Set(["SelectStmt", "VariableShowStmt", "ExplainStmt"]);
/** Nodes that write wherever they sit in a tree (a data-modifying CTE among them). */
const WRITE_NODES = new Set(["InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt"]);

const refuse = (why: string) =>
  new ApiError(422, "unprocessable", `Only read-only statements run here: ${why}`, {
    details: { rule: "read_only_sql" },
  });

/**
 * Accepts exactly one statement that is a SELECT, a WITH … SELECT whose parts all only read,
 * VALUES, TABLE, SHOW, or EXPLAIN without ANALYZE (or with ANALYZE off) of one of those; refuses SELECT … INTO,
 * FOR UPDATE/SHARE and the functions in `REFUSED_FUNCTIONS` anywhere in the tree. Throws a 422
 * ApiError (`details.rule: "read_only_sql"`) that names what was refused, or the parser's own
 * syntax error; returns the statement's kind. The source still runs the statement in a read-only transaction as a role that
 * cannot reach the server's files or programs (`postgres_role.ts`): this check narrows, it does
 * not replace them (OWASP ASVS 5.3.4 style: least privilege first, allow-list second).
 */
export async function checkReadOnlySql(text: string): Promise<"select" | "show" | "explain"> {
  let tree: { stmts?: { stmt: Record<string, unknown> }[] };
  try {
    tree = await parse(text) as typeof tree;
  } catch (error) {
    throw new ApiError(422, "unprocessable", `The SQL does not parse: ${(error as Error).message}`);
  }
  const statements = tree.stmts ?? [];
  if (statements.length !== 1) {
    throw refuse(statements.length === 0 ? "the text has no statement" : "send one statement at a time");
  }
  checkTop(statements[0].stmt);
  walk(statements[0].stmt);
  const kind = Object.keys(statements[0].stmt)[0];
  return kind === "SelectStmt" ? "select" : kind === "ExplainStmt" ? "explain" : "show";
}

function checkTop(stmt: Record<string, unknown>) {
  const [kind] = Object.keys(stmt);
  if (!READ_STATEMENTS.has(kind)) throw refuse(`${statementName(kind)} is not a query (use SELECT)`);
  if (kind === "ExplainStmt") {
    const explain = stmt.ExplainStmt as { query: Record<string, unknown>; options?: { DefElem?: Option }[] };
    // Every ANALYZE option counts (the server keeps the last of several): only an explicit false passes.
    if (explain.options?.some((o) => o.DefElem?.defname === "analyze" && !isFalse(o.DefElem))) {
      throw refuse("EXPLAIN ANALYZE runs the statement; use EXPLAIN without it");
    }
    checkTop(explain.query);
  }
}

interface Option {
  defname: string;
  arg?: { String?: { sval?: string }; Integer?: { ival?: number } };
}

/**
 * Whether an EXPLAIN option's value is false as the server reads it (defGetBoolean): 0, `false`
 * or `off` in any case. No value means true; anything else is true or an error there.
 */
function isFalse(option: Option): boolean {
  if (option.arg?.Integer) return (option.arg.Integer.ival ?? 0) === 0;
  const text = option.arg?.String?.sval?.toLowerCase();
  return text === "false" || text === "off";
}

/** Every node of the tree, depth first: writes, SELECT INTO, row locks and refused functions. */
function walk(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item);
    return;
  }
  if (!node || typeof node !== "object") return;
  for (const [key, value] of Object.entries(node)) {
    if (WRITE_NODES.has(key)) throw refuse(`${statementName(key)} changes data`);
    if (key === "intoClause") throw refuse("SELECT … INTO creates a table");
    if (key === "lockingClause") throw refuse("FOR UPDATE / FOR SHARE locks rows of the source");
    if (key === "FuncCall") checkFunction(value as { funcname?: { String?: { sval?: string } }[] });
    walk(value);
  }
}

function checkFunction(call: { funcname?: { String?: { sval?: string } }[] }) {
  const name = (call.funcname?.at(-1)?.String?.sval ?? "").toLowerCase();
  const rule = REFUSED_FUNCTIONS.find((r) => r.pattern.test(name));
  if (rule) throw refuse(`${name}() is not allowed, because ${rule.why}`);
}

/** `DeleteStmt` → `DELETE`, for messages. */
function statementName(kind: string): string {
  return kind.replace(/Stmt$/, "").replace(/([a-z])([A-Z])/g, "$1 $2").toUpperCase();
}
