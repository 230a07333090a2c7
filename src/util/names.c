#include "util/names.h"

const char *name_of(const char *const *names, size_t n, int k, const char *dflt) {
  return k >= 0 && (size_t)k < n && names[k] ? names[k] : dflt;
}
