/* zircon/listnode.h: the intrusive, circular, doubly linked list of Zircon's public headers.
 *
 * A list is a sentinel list_node_t whose prev/next point at itself when empty; entries embed
 * a list_node_t and are recovered with containerof(). Names, layout ({prev, next}) and
 * behaviour are Zircon's: list_delete() clears the node it unlinks, list_remove_head_type()
 * and friends answer NULL on an empty list. Header-only. */
#ifndef SYSROOT_ZIRCON_LISTNODE_H_
#define SYSROOT_ZIRCON_LISTNODE_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zircon/compiler.h>

__BEGIN_CDECLS

/* The enclosing object of type `type` whose field `member` is at ptr. */
#define containerof(ptr, type, member) ((type*)((uintptr_t)(ptr) - offsetof(type, member)))

typedef struct list_node list_node_t;

struct list_node {
    list_node_t* prev;
    list_node_t* next;
};

#define LIST_INITIAL_VALUE(list) {&(list), &(list)}
#define LIST_INITIAL_CLEARED_VALUE {NULL, NULL}

static inline void list_initialize(list_node_t* list) { list->prev = list->next = list; }

static inline void list_clear_node(list_node_t* item) { item->prev = item->next = NULL; }

static inline bool list_in_list(const list_node_t* item) { return item->prev != NULL || item->next != NULL; }

/* Insert item right after list (at the head). */
static inline void list_add_head(list_node_t* list, list_node_t* item) {
    item->next = list->next;
    item->prev = list;
    list->next->prev = item;
    list->next = item;
}
#define list_add_after(entry, new_entry) list_add_head(entry, new_entry)

/* Insert item right before list (at the tail). */
static inline void list_add_tail(list_node_t* list, list_node_t* item) {
    item->prev = list->prev;
    item->next = list;
    list->prev->next = item;
    list->prev = item;
}
#define list_add_before(entry, new_entry) list_add_tail(entry, new_entry)

static inline void list_delete(list_node_t* item) {
    item->next->prev = item->prev;
    item->prev->next = item->next;
    item->prev = item->next = NULL;
}

static inline void list_replace_node(list_node_t* old_node, list_node_t* new_node) {
    new_node->next = old_node->next;
    new_node->prev = old_node->prev;
    new_node->next->prev = new_node;
    new_node->prev->next = new_node;
    old_node->prev = old_node->next = NULL;
}

static inline list_node_t* list_remove_head(list_node_t* list) {
    if (list->next == list) return NULL;
    list_node_t* item = list->next;
    list_delete(item);
    return item;
}
#define list_remove_head_type(list, type, element)                                  \
    ({                                                                              \
        list_node_t* __nod = list_remove_head(list);                                \
        type* __t = __nod ? containerof(__nod, type, element) : (type*)NULL;        \
        __t;                                                                        \
    })

static inline list_node_t* list_remove_tail(list_node_t* list) {
    if (list->prev == list) return NULL;
    list_node_t* item = list->prev;
    list_delete(item);
    return item;
}
#define list_remove_tail_type(list, type, element)                                  \
    ({                                                                              \
        list_node_t* __nod = list_remove_tail(list);                                \
        type* __t = __nod ? containerof(__nod, type, element) : (type*)NULL;        \
        __t;                                                                        \
    })

static inline list_node_t* list_peek_head(list_node_t* list) { return list->next != list ? list->next : NULL; }
#define list_peek_head_type(list, type, element)                                    \
    ({                                                                              \
        list_node_t* __nod = list_peek_head(list);                                  \
        type* __t = __nod ? containerof(__nod, type, element) : (type*)NULL;        \
        __t;                                                                        \
    })

static inline list_node_t* list_peek_tail(list_node_t* list) { return list->prev != list ? list->prev : NULL; }
#define list_peek_tail_type(list, type, element)                                    \
    ({                                                                              \
        list_node_t* __nod = list_peek_tail(list);                                  \
        type* __t = __nod ? containerof(__nod, type, element) : (type*)NULL;        \
        __t;                                                                        \
    })

/* The neighbour of item, NULL at the ends. */
static inline list_node_t* list_prev(list_node_t* list, list_node_t* item) {
    return item->prev != list ? item->prev : NULL;
}
#define list_prev_type(list, item, type, element)                                   \
    ({                                                                              \
        list_node_t* __nod = list_prev(list, item);                                 \
        type* __t = __nod ? containerof(__nod, type, element) : (type*)NULL;        \
        __t;                                                                        \
    })

static inline list_node_t* list_next(list_node_t* list, list_node_t* item) {
    return item->next != list ? item->next : NULL;
}
#define list_next_type(list, item, type, element)                                   \
    ({                                                                              \
        list_node_t* __nod = list_next(list, item);                                 \
        type* __t = __nod ? containerof(__nod, type, element) : (type*)NULL;        \
        __t;                                                                        \
    })

/* The neighbour of item, wrapping past the sentinel (NULL only for an empty list). */
static inline list_node_t* list_prev_wrap(list_node_t* list, list_node_t* item) {
    if (item->prev == list) return list->prev != list ? list->prev : NULL;
    return item->prev;
}
#define list_prev_wrap_type(list, item, type, element)                              \
    ({                                                                              \
        list_node_t* __nod = list_prev_wrap(list, item);                            \
        type* __t = __nod ? containerof(__nod, type, element) : (type*)NULL;        \
        __t;                                                                        \
    })

static inline list_node_t* list_next_wrap(list_node_t* list, list_node_t* item) {
    if (item->next == list) return list->next != list ? list->next : NULL;
    return item->next;
}
#define list_next_wrap_type(list, item, type, element)                              \
    ({                                                                              \
        list_node_t* __nod = list_next_wrap(list, item);                            \
        type* __t = __nod ? containerof(__nod, type, element) : (type*)NULL;        \
        __t;                                                                        \
    })

#define list_for_every(list, node) for (node = (list)->next; node != (list); node = node->next)

#define list_for_every_safe(list, node, temp_node) \
    for (node = (list)->next, temp_node = (node)->next; node != (list); node = temp_node, temp_node = (node)->next)

#define list_for_every_entry(list, entry, type, member)                                  \
    for ((entry) = containerof((list)->next, type, member); &(entry)->member != (list); \
         (entry) = containerof((entry)->member.next, type, member))

#define list_for_every_entry_safe(list, entry, temp_entry, type, member)                      \
    for (entry = containerof((list)->next, type, member),                                     \
        temp_entry = containerof((entry)->member.next, type, member);                         \
         &(entry)->member != (list);                                                          \
         entry = temp_entry, temp_entry = containerof((temp_entry)->member.next, type, member))

static inline bool list_is_empty(const list_node_t* list) { return list->next == list; }

static inline size_t list_length(const list_node_t* list) {
    size_t n = 0;
    for (const list_node_t* node = list->next; node != list; node = node->next) ++n;
    return n;
}

/* Move every entry of splice_from to right after pos; splice_from ends up empty. */
static inline void list_splice_after(list_node_t* splice_from, list_node_t* pos) {
    if (list_is_empty(splice_from)) return;
    splice_from->next->prev = pos;
    splice_from->prev->next = pos->next;
    pos->next->prev = splice_from->prev;
    pos->next = splice_from->next;
    list_initialize(splice_from);
}

/* Move the entries after pos (an entry of list) to splitted, which must be empty. */
static inline void list_split_after(list_node_t* list, list_node_t* pos, list_node_t* splitted) {
    if (pos->next == list) {
        list_initialize(splitted);
        return;
    }
    splitted->prev = list->prev;
    splitted->prev->next = splitted;
    splitted->next = pos->next;
    splitted->next->prev = splitted;
    pos->next = list;
    list->prev = pos;
}

/* Every entry of old_list moves to new_list (which is reinitialised first). */
static inline void list_move(list_node_t* old_list, list_node_t* new_list) {
    list_initialize(new_list);
    list_splice_after(old_list, new_list);
}

__END_CDECLS

#endif /* SYSROOT_ZIRCON_LISTNODE_H_ */
