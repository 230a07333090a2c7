/* endpoint.h - the endpoint a request belongs to: method + normalised name.
 *
 * k6 sets the `name` tag to the URL (query string included) unless the
 * script named the request. A URL-like name ("http://…", "https://…", or a
 * path starting with '/') loses its query string and fragment, and path
 * segments that are numbers, UUIDs or long hex strings become "{id}". A name
 * the script set itself ("GET /api/items/{id}", "login") is kept as it is.
 */
#ifndef LOADREP_ENDPOINT_H
#define LOADREP_ENDPOINT_H

/** Returns the normalised name (caller frees). */
char *endpoint_normalize(const char *name);

/** "METHOD name", or just name when it already starts with "METHOD ".
 *  Caller frees. */
char *endpoint_label(const char *method, const char *name);

#endif
