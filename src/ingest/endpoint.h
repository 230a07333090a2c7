/* endpoint.h - the endpoint a request belongs to: method + normalised name.
 *
 * k6 sets the `name` tag to the URL (query string included) unless the
 * script named the request. A URL-like name ("http://…", "https://…", or a
 * path starting with '/') loses its query string and fragment, and path
 * segments that look like ids become "{id}": numbers ("42"), UUIDs, hex
 * strings of 6 or more characters with a digit ("a1b2c3", hashes), and slugs
 * of letters and digits joined by '-' or '_' with a number or hex part
 * ("stu-42", "order_2024_7"; not "api-v2").
 *
 * A request made with k6's http.url`${BASE}/api/x/${id}` is named after the
 * template, with "${}" for each interpolation ("${}/api/x/${}"): the leading
 * "${}" (the base URL) is dropped and a segment holding "${}" is "{id}", so it
 * becomes "/api/x/{id}". A name the script set itself ("GET /api/items/{id}",
 * "login") is kept as it is.
 */
#ifndef LOADREP_ENDPOINT_H
#define LOADREP_ENDPOINT_H

/** Returns the normalised name (caller frees). */
char *endpoint_normalize(const char *name);

/** "METHOD name", or just name when it already starts with "METHOD ".
 *  Caller frees. */
char *endpoint_label(const char *method, const char *name);

#endif
