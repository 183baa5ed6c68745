/**
 * The role a postgres source connects as must not reach the database server itself. A read-only
 * transaction does not stop a superuser (COPY … TO PROGRAM, dblink, pg_read_file, lo_import,
 * `set transaction read write`), nor the members of the predefined roles that read and write the
 * server's files or run its programs, nor a role with CREATEROLE (it can grant itself those roles,
 * or before PostgreSQL 16 any role but superuser), so such credentials are refused before anything else runs.
 */
import type postgres from "postgres";
import { ApiError } from "../lib/http/errors.ts";

/** PostgreSQL's predefined roles that reach the server's file system and programs (PG 11+). */
export const SERVER_ROLES = ["pg_execute_server_program", "pg_read_server_files", "pg_write_server_files"];

/** What to tell the user, with the way out. */
export const READ_ONLY_ROLE_HINT = "Connect with a read-only role instead: CREATE ROLE reader LOGIN PASSWORD '…'; " +
  "GRANT pg_read_all_data TO reader (PostgreSQL 14+), or GRANT USAGE ON SCHEMA … and GRANT SELECT ON ALL TABLES " +
  "IN SCHEMA … TO reader. See the README's Security section.";

/**
 * Throws a 422 when the connected role is a superuser, has CREATEROLE, or is a member (directly or
 * through other roles, whether or not it inherits) of a role that is either or of one of `SERVER_ROLES`. One round
 * trip on the caller's connection, so the answer is about the session that will run the work.
 * `pg_has_role(…, 'MEMBER')` is the membership test PostgreSQL documents for this (System
 * Information Functions); `SET ROLE` to any such role would give its powers.
 */
export async function refusePrivilegedRole(sql: postgres.Sql): Promise<void> {
  const [row] = await sql.unsafe<{ who: string; superuser: boolean; createrole: boolean; roles: string[] }[]>(
    `select current_user::text as who,
      exists (select 1 from pg_roles r where r.rolsuper and pg_has_role(current_user, r.oid, 'MEMBER')) as superuser,
      exists (select 1 from pg_roles r where r.rolcreaterole and pg_has_role(current_user, r.oid, 'MEMBER'))
        as createrole,
      array(select r.rolname::text from pg_roles r
        where r.rolname = any ($1::text[]) and pg_has_role(current_user, r.oid, 'MEMBER') order by 1) as roles`,
    [SERVER_ROLES],
  );
  if (!row.superuser && !row.createrole && row.roles.length === 0) return;
  const what = row.superuser
    ? "is a superuser, which can reach the database server's files and programs"
    : row.roles.length
    ? `holds ${row.roles.join(", ")}, which can reach the database server's files and programs`
    : "has CREATEROLE, which can grant itself other roles (and through them the server's files and programs)";
  throw new ApiError(
    422,
    "unprocessable",
    `The source's role ${row.who} ${what}. ` + READ_ONLY_ROLE_HINT,
    { details: { rule: "privileged_source_role" } },
  );
}
