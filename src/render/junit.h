/* junit.h - JUnit XML for a compare/check result (CI test reports).
 *
 * One <testsuite> with one <testcase> per endpoint x gated metric (p95, rps,
 * error_rate); a regression is a <failure> carrying the numbers. The file
 * validates against the common JUnit schemas (the Ant/"windyroad" XSD and
 * Jenkins' junit-10.xsd): testsuites > testsuite(package, id, name,
 * timestamp, hostname, tests, failures, errors, time) > properties,
 * testcase*, system-out, system-err. Inconclusive findings pass and are
 * listed in <system-out>. Every string is XML-escaped.
 */
#ifndef LOADREP_JUNIT_H
#define LOADREP_JUNIT_H
#include <jansson.h>

struct strbuf;
struct err;

/** Appends the XML document for compare JSON `cmp` to out. `timestamp` is
 *  ISO 8601 without zone ("2026-11-26T23:50:00"). */
void junit_render(json_t *cmp, const char *timestamp, const char *hostname, struct strbuf *out);

/** Writes junit_render() to `path` through a temporary file and rename(),
 *  so a reader never sees a torn file (LR_CANTCREAT / LR_IOERR on failure). */
int junit_write(json_t *cmp, const char *path, struct err *err);

#endif
