/* embedded.h - files compiled into the binary (schema.sql, templates/).
 *
 * The build generates the table; embedded_find() looks a file up by its base
 * name ("schema.sql", "LOAD_TEST_RESULTS.md.tmpl").
 */
#ifndef LOADREP_EMBEDDED_H
#define LOADREP_EMBEDDED_H
#include <stddef.h>

struct embedded_file {
  const char *name;
  const unsigned char *data; /* NUL-terminated */
  const size_t *len;
};

extern const struct embedded_file embedded_files[];

/** Returns the embedded file called `name`, or NULL. */
const struct embedded_file *embedded_find(const char *name);
#endif
