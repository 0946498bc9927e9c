/*
 * hostacl internal: a small JSON reader for aclInit configuration files.
 *
 * Parses a complete document into a tree (objects keep member order;
 * duplicate keys: the last wins on lookup). Nesting is limited to 64 levels
 * so hostile input cannot exhaust the stack.
 *
 * Thread: any (no shared state).
 */
#ifndef HOSTACL_RUNTIME_JSON_H
#define HOSTACL_RUNTIME_JSON_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum hacl_json_type { HACL_JSON_NULL, HACL_JSON_BOOL, HACL_JSON_NUMBER, HACL_JSON_STRING,
                      HACL_JSON_ARRAY, HACL_JSON_OBJECT };

struct hacl_json {
    enum hacl_json_type type;
    int boolean;
    double number;
    char *string;             /* STRING: NUL-terminated UTF-8 */
    size_t count;             /* ARRAY / OBJECT: number of children */
    char **keys;              /* OBJECT: member names */
    struct hacl_json **items; /* ARRAY / OBJECT: children */
};

/* 0 and *out on success; -1 with a message in err (out of memory: -2). */
int hacl_json_parse(const char *text, size_t len, struct hacl_json **out, char *err, size_t errlen);
void hacl_json_free(struct hacl_json *v);
/* Member `key` of an object, or NULL. */
const struct hacl_json *hacl_json_get(const struct hacl_json *obj, const char *key);

#ifdef __cplusplus
}
#endif

#endif
