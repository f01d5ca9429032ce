/*
 * jail_table.h -- the jail table: every jail's identity, reservations and
 * counters, with O(1) lookup by ID, by name and by reserved port.
 *
 * Shared by the NetBSD module (where the caller holds jail_lock around every
 * call) and by the Linux driver (which rebuilds a table from its registry to
 * validate a create exactly as the kernel would).  The table never allocates
 * and never sleeps: entries are allocated by the caller, outside any lock,
 * and handed in; removed entries are handed back to be freed outside the lock.
 *
 * Lifecycle of an entry:  (caller allocates)
 *   create_begin -> CREATING --commit--> ACTIVE --destroy_begin--> DESTROYING
 *                      |abort                          destroy_commit |  | abort
 *                      v                                              v  v
 *                  (caller frees)                          (caller frees)  ACTIVE
 * Only ACTIVE entries are visible to lookups by name/ID and to snapshots;
 * port reservations of CREATING and DESTROYING entries still count, so two
 * creates racing for one port cannot both succeed.
 *
 * Errors are errno values (kernel convention, positive): see each function.
 */
#ifndef JAIL_TABLE_H
#define JAIL_TABLE_H

#include "jail_abi.h"

#if defined(_KERNEL)
#include <sys/types.h>
#else
#include <stddef.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define JAIL_TABLE_BUCKETS	256	/* per hash; power of two */

enum jail_state {
	JAIL_STATE_CREATING = 1,
	JAIL_STATE_ACTIVE,
	JAIL_STATE_DESTROYING
};

/* One reserved port, chained in the table's port hash. */
struct jail_port_node {
	struct jail_port_node	*pn_next;
	struct jail_entry	*pn_owner;
	uint16_t		pn_port;	/* host byte order */
};

/*
 * One jail.  Fields are read by the environment (the module's sampler, the
 * drivers) but written only through jail_table_* and jail_entry_* calls.
 */
struct jail_entry {
	struct jail_entry	*je_id_next;	/* ID hash chain */
	struct jail_entry	*je_name_next;	/* name hash chain */
	struct jail_entry	*je_all_next;	/* every entry, ascending ID */
	enum jail_state		je_state;
	uint32_t		je_holds;	/* e.g. an enter in progress */
	struct jail_create	je_spec;	/* validated create payload, jc_id set */
	struct jail_port_node	je_port_nodes[JAIL_PORTS_MAX];
	uint64_t		je_created_ns;
	/* telemetry, maintained by the environment's sampler */
	uint64_t		je_proc_live;
	uint64_t		je_proc_zombie;
	uint64_t		je_cpu_ticks_total;
	uint64_t		je_cpu_ticks_last;	/* raw sum at the last sample */
	uint64_t		je_cpu_ticks_1s;
	uint64_t		je_cpu_ring[10];	/* last 10 one-second deltas */
	uint32_t		je_cpu_ring_pos;
	uint32_t		je_cpu_ring_len;
	uint64_t		je_memory_bytes;
	uint64_t		je_denied[JAIL_SCOPE_COUNT];
};

struct jail_table {
	struct jail_entry	*jt_by_id[JAIL_TABLE_BUCKETS];
	struct jail_entry	*jt_by_name[JAIL_TABLE_BUCKETS];
	struct jail_port_node	*jt_by_port[JAIL_TABLE_BUCKETS];
	struct jail_entry	*jt_all;	/* ascending ID */
	jail_id_t		jt_next_id;	/* 0 once the counter has wrapped */
	uint32_t		jt_active;	/* ACTIVE entries */
	uint64_t		jt_generation;	/* bumped on every change */
	uint64_t		jt_created;
	uint64_t		jt_destroyed;
	uint64_t		jt_denied[JAIL_SCOPE_COUNT];
	uint64_t		jt_cpu_hz;	/* stathz, for jail_info */
};

void jail_table_init(struct jail_table *t, uint64_t cpu_hz);

/* Nonzero while any entry exists (in any state): module unload refuses. */
int jail_table_busy(const struct jail_table *t);

/*
 * Check a raw create payload on its own (no table needed): exact size
 * (EINVAL), unknown flags (EINVAL), nonzero padding (EINVAL), ports: flag
 * and count consistent, count 1..32, no 0, no duplicates (EINVAL), profile
 * valid (EINVAL; defaults to HIGH when the flag is absent), rlimit fields and
 * jc_deny 0 unless their flag is set, jc_deny only JAIL_DENY_VALID_MASK bits
 * (EINVAL), name 1..63 bytes of [A-Za-z0-9._-]
 * NUL-terminated within bounds (EINVAL), root absolute, NUL-terminated, no
 * control bytes (< 0x20 or 0x7f) (EINVAL).  On success *out is the
 * normalized request (profile filled in, jc_id 0, tail bytes zeroed).
 */
int jail_create_validate(const void *payload, size_t len,
    struct jail_create *out);

/*
 * Insert a validated request as CREATING into caller-allocated `e`
 * (contents ignored, fully initialized here).  EEXIST: the name is taken or
 * a port is reserved by another entry (any state).  EOVERFLOW: the ID counter
 * has wrapped.  On error the table is unchanged.  On success *idp is the new
 * ID (also in e->je_spec.jc_id).
 */
int jail_table_create_begin(struct jail_table *t, struct jail_entry *e,
    const struct jail_create *req, uint64_t now_ns, jail_id_t *idp);
void jail_table_create_commit(struct jail_table *t, struct jail_entry *e);
/* Unlinks e; the caller frees it. */
void jail_table_create_abort(struct jail_table *t, struct jail_entry *e);

/*
 * Re-insert a jail that already exists elsewhere (the Linux driver's
 * registry) directly as ACTIVE with its known ID and creation time.  The
 * ID counter moves past `id`.  EINVAL for ID 0 or an invalid request, EEXIST
 * for an ID, name or port already present.
 */
int jail_table_restore(struct jail_table *t, struct jail_entry *e,
    const struct jail_create *req, jail_id_t id, uint64_t created_ns);

/* Make sure the next ID handed out is at least `next` (persisted counters). */
void jail_table_set_next_id(struct jail_table *t, jail_id_t next);

/*
 * Start destroying: ENOENT if no ACTIVE entry has this ID (ID 0 included),
 * EBUSY if holds are outstanding.  The entry becomes DESTROYING and
 * invisible; the caller re-checks membership (live and zombie processes)
 * and then commits (the entry is unlinked and returned for freeing) or
 * aborts (back to ACTIVE).
 */
int jail_table_destroy_begin(struct jail_table *t, jail_id_t id,
    struct jail_entry **ep);
void jail_table_destroy_commit(struct jail_table *t, struct jail_entry *e);
void jail_table_destroy_abort(struct jail_table *t, struct jail_entry *e);

/* Lookups see ACTIVE entries only; NULL when absent. */
struct jail_entry *jail_table_find_id(const struct jail_table *t, jail_id_t id);
struct jail_entry *jail_table_find_name(const struct jail_table *t,
    const char *name);

/*
 * Any state (CREATING, ACTIVE, DESTROYING): for policy decisions about a
 * member process, which must keep its profile while a destroy that will
 * fail (it has members) is being checked.
 */
struct jail_entry *jail_table_find_id_any(const struct jail_table *t,
    jail_id_t id);

/*
 * Holds keep an ACTIVE entry from being destroyed (destroy_begin: EBUSY)
 * while the caller works on it outside the lock, e.g. an enter in progress.
 */
void jail_entry_hold(struct jail_entry *e);
void jail_entry_rele(struct jail_entry *e);

/*
 * The jail reserving `port` (host byte order), whatever its state, or
 * JAIL_ID_HOST when nobody does (port 0 is never reserved).
 */
jail_id_t jail_table_port_owner(const struct jail_table *t, uint16_t port);

/* Entry telemetry and counters, for the environment's sampler. */
void jail_entry_sample_cpu(struct jail_entry *e, uint64_t ticks_total);
void jail_table_count_denial(struct jail_table *t, struct jail_entry *e,
    uint32_t scope);

/* Fill an info record from an entry. */
void jail_entry_info(const struct jail_table *t, const struct jail_entry *e,
    struct jail_info *out);

/*
 * Copy up to `cap` ACTIVE entries (ascending ID) into `buf`; *countp gets
 * the number of ACTIVE entries (which may exceed cap: ENOMEM then, with
 * nothing partial promised), *genp the generation the snapshot belongs to.
 * buf may be NULL with cap 0 to ask for the size.
 */
int jail_table_snapshot(const struct jail_table *t, struct jail_info *buf,
    size_t cap, size_t *countp, uint64_t *genp);

void jail_table_stats(const struct jail_table *t, struct jail_stats *out);

#ifdef __cplusplus
}
#endif

#endif /* JAIL_TABLE_H */
