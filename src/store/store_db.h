/* store_db.h - database evidence of a run (schema v3 tables db_log_entries,
 * db_statements, db_snapshots): PostgreSQL logs, pg_stat_statements and
 * statistics-view snapshots, parsed by src/ingest/pglog.h.
 *
 * Every statement binds its parameters: the SQL text of a log is stored as
 * data, never spliced into SQL.
 */
#ifndef LOADREP_STORE_DB_H
#define LOADREP_STORE_DB_H
#include <stdint.h>

#include "ingest/pglog.h"

struct err;
struct reader;
struct store;

/** Parses one file of kind k and inserts its rows into run_id, inside the
 *  caller's open transaction (on error the caller rolls back). snap numbers
 *  the snapshot files of one ingest. *n_rows (when not NULL) gets the number
 *  of rows stored. */
int db_ingest_file(struct store *st, int64_t run_id, struct reader *r, enum pg_kind k, int snap, long *n_rows,
                   struct err *err);

/** Stores PostgreSQL settings (an object of name -> value text, e.g.
 *  meta.json's postgresql.settings) as the snapshot view 'settings'. */
#include <jansson.h>
int db_store_settings(struct store *st, int64_t run_id, json_t *settings, struct err *err);

/** Whether run_id has any database evidence (rows in the v3 tables). */
int db_has_evidence(struct store *st, int64_t run_id, int *has, struct err *err);

#endif
