/*
 * jail_table.c -- the jail table: three hashes (ID, name, reserved port)
 * and one list in ascending ID order for snapshots.
 *
 * Locking is the caller's: every function here runs under the
 * environment's table lock (jail_lock in the NetBSD module) and never
 * sleeps or allocates, so it may be called from any context that may hold
 * that lock.  Every failure leaves the table exactly as it was.
 */
#include "jail_kernlib.h"
#include "jail_policy.h"
#include "jail_table.h"

#define JAIL_BUCKET_MASK	(JAIL_TABLE_BUCKETS - 1u)

typedef char jail_buckets_pow2[(JAIL_TABLE_BUCKETS &
    (JAIL_TABLE_BUCKETS - 1)) == 0 ? 1 : -1];

/* IDs are dense and monotonic: the low bits spread them evenly. */
static unsigned
jail_hash_id(jail_id_t id)
{

	return id & JAIL_BUCKET_MASK;
}

/* FNV-1a over the name, folded to a bucket. */
static unsigned
jail_hash_name(const char *name)
{
	uint32_t h = 2166136261u;

	while (*name != '\0') {
		h ^= (unsigned char)*name++;
		h *= 16777619u;
	}
	return (h ^ (h >> 16)) & JAIL_BUCKET_MASK;
}

/* Fibonacci hashing: nearby ports (8080, 8081, ...) land far apart. */
static unsigned
jail_hash_port(uint16_t port)
{

	return ((uint32_t)port * 2654435761u >> 16) & JAIL_BUCKET_MASK;
}

void
jail_table_init(struct jail_table *t, uint64_t cpu_hz)
{

	memset(t, 0, sizeof(*t));
	t->jt_next_id = 1;
	t->jt_cpu_hz = cpu_hz;
}

int
jail_table_busy(const struct jail_table *t)
{

	return t->jt_all != NULL;
}

static struct jail_entry *
jail_lookup_id(const struct jail_table *t, jail_id_t id)
{
	struct jail_entry *e;

	for (e = t->jt_by_id[jail_hash_id(id)]; e != NULL; e = e->je_id_next)
		if (e->je_spec.jc_id == id)
			return e;
	return NULL;
}

static struct jail_entry *
jail_lookup_name(const struct jail_table *t, const char *name)
{
	struct jail_entry *e;

	for (e = t->jt_by_name[jail_hash_name(name)]; e != NULL;
	    e = e->je_name_next)
		if (strcmp(e->je_spec.jc_name, name) == 0)
			return e;
	return NULL;
}

static struct jail_port_node *
jail_lookup_port(const struct jail_table *t, uint16_t port)
{
	struct jail_port_node *pn;

	for (pn = t->jt_by_port[jail_hash_port(port)]; pn != NULL;
	    pn = pn->pn_next)
		if (pn->pn_port == port)
			return pn;
	return NULL;
}

struct jail_entry *
jail_table_find_id(const struct jail_table *t, jail_id_t id)
{
	struct jail_entry *e = jail_lookup_id(t, id);

	return e != NULL && e->je_state == JAIL_STATE_ACTIVE ? e : NULL;
}

struct jail_entry *
jail_table_find_id_any(const struct jail_table *t, jail_id_t id)
{

	return jail_lookup_id(t, id);
}

struct jail_entry *
jail_table_find_name(const struct jail_table *t, const char *name)
{
	struct jail_entry *e;

	if (name == NULL)
		return NULL;
	e = jail_lookup_name(t, name);
	return e != NULL && e->je_state == JAIL_STATE_ACTIVE ? e : NULL;
}

jail_id_t
jail_table_port_owner(const struct jail_table *t, uint16_t port)
{
	struct jail_port_node *pn;

	if (port == 0)
		return JAIL_ID_HOST;
	pn = jail_lookup_port(t, port);
	return pn != NULL ? pn->pn_owner->je_spec.jc_id : JAIL_ID_HOST;
}

/* EEXIST if the name or any of the ports is taken by another entry. */
static int
jail_conflicts(const struct jail_table *t, const struct jail_create *req)
{
	unsigned i;

	if (jail_lookup_name(t, req->jc_name) != NULL)
		return EEXIST;
	for (i = 0; i < req->jc_nports; i++)
		if (jail_lookup_port(t, req->jc_ports[i]) != NULL)
			return EEXIST;
	return 0;
}

static void
jail_link(struct jail_table *t, struct jail_entry *e)
{
	struct jail_entry **pp;
	unsigned i, b;

	b = jail_hash_id(e->je_spec.jc_id);
	e->je_id_next = t->jt_by_id[b];
	t->jt_by_id[b] = e;

	b = jail_hash_name(e->je_spec.jc_name);
	e->je_name_next = t->jt_by_name[b];
	t->jt_by_name[b] = e;

	for (i = 0; i < e->je_spec.jc_nports; i++) {
		struct jail_port_node *pn = &e->je_port_nodes[i];

		pn->pn_owner = e;
		pn->pn_port = e->je_spec.jc_ports[i];
		b = jail_hash_port(pn->pn_port);
		pn->pn_next = t->jt_by_port[b];
		t->jt_by_port[b] = pn;
	}

	/*
	 * Ascending ID order.  New IDs are the largest, so a create walks the
	 * list once; only restore (rare, at driver start) inserts in between.
	 */
	for (pp = &t->jt_all; *pp != NULL &&
	    (*pp)->je_spec.jc_id < e->je_spec.jc_id; pp = &(*pp)->je_all_next)
		continue;
	e->je_all_next = *pp;
	*pp = e;
	t->jt_generation++;
}

static void
jail_unlink(struct jail_table *t, struct jail_entry *e)
{
	struct jail_entry **pp;
	struct jail_port_node **pnp;
	unsigned i;

	for (pp = &t->jt_by_id[jail_hash_id(e->je_spec.jc_id)]; *pp != e;
	    pp = &(*pp)->je_id_next)
		continue;
	*pp = e->je_id_next;

	for (pp = &t->jt_by_name[jail_hash_name(e->je_spec.jc_name)];
	    *pp != e; pp = &(*pp)->je_name_next)
		continue;
	*pp = e->je_name_next;

	for (i = 0; i < e->je_spec.jc_nports; i++) {
		struct jail_port_node *pn = &e->je_port_nodes[i];

		for (pnp = &t->jt_by_port[jail_hash_port(pn->pn_port)];
		    *pnp != pn; pnp = &(*pnp)->pn_next)
			continue;
		*pnp = pn->pn_next;
	}

	for (pp = &t->jt_all; *pp != e; pp = &(*pp)->je_all_next)
		continue;
	*pp = e->je_all_next;
	t->jt_generation++;
}

static void
jail_entry_setup(struct jail_entry *e, const struct jail_create *req,
    jail_id_t id, uint64_t created_ns, enum jail_state state)
{

	memset(e, 0, sizeof(*e));
	e->je_spec = *req;
	e->je_spec.jc_id = id;
	e->je_state = state;
	e->je_created_ns = created_ns;
}

int
jail_table_create_begin(struct jail_table *t, struct jail_entry *e,
    const struct jail_create *req, uint64_t now_ns, jail_id_t *idp)
{
	jail_id_t id;
	int error;

	if (t->jt_next_id == JAIL_ID_HOST)
		return EOVERFLOW;
	if ((error = jail_conflicts(t, req)) != 0)
		return error;

	/* IDs are never reused: after the last one the counter stays at 0. */
	id = t->jt_next_id;
	t->jt_next_id = id == JAIL_ID_MAX ? JAIL_ID_HOST : id + 1;

	jail_entry_setup(e, req, id, now_ns, JAIL_STATE_CREATING);
	jail_link(t, e);
	if (idp != NULL)
		*idp = id;
	return 0;
}

void
jail_table_create_commit(struct jail_table *t, struct jail_entry *e)
{

	e->je_state = JAIL_STATE_ACTIVE;
	t->jt_active++;
	t->jt_created++;
	t->jt_generation++;
}

void
jail_table_create_abort(struct jail_table *t, struct jail_entry *e)
{

	/* The ID stays burnt: it may have reached the caller already. */
	jail_unlink(t, e);
}

int
jail_table_restore(struct jail_table *t, struct jail_entry *e,
    const struct jail_create *req, jail_id_t id, uint64_t created_ns)
{
	struct jail_create norm;
	int error;

	if (id == JAIL_ID_HOST)
		return EINVAL;
	if ((error = jail_create_validate(req, sizeof(*req), &norm)) != 0)
		return error;
	if (jail_lookup_id(t, id) != NULL)
		return EEXIST;
	if ((error = jail_conflicts(t, &norm)) != 0)
		return error;

	jail_entry_setup(e, &norm, id, created_ns, JAIL_STATE_ACTIVE);
	jail_link(t, e);
	t->jt_active++;
	if (id == JAIL_ID_MAX)
		t->jt_next_id = JAIL_ID_HOST;
	else if (t->jt_next_id != JAIL_ID_HOST && t->jt_next_id <= id)
		t->jt_next_id = id + 1;
	return 0;
}

void
jail_table_set_next_id(struct jail_table *t, jail_id_t next)
{

	if (t->jt_next_id != JAIL_ID_HOST && next > t->jt_next_id)
		t->jt_next_id = next;
}

int
jail_table_destroy_begin(struct jail_table *t, jail_id_t id,
    struct jail_entry **ep)
{
	struct jail_entry *e;

	if ((e = jail_table_find_id(t, id)) == NULL)
		return ENOENT;
	if (e->je_holds != 0)
		return EBUSY;
	e->je_state = JAIL_STATE_DESTROYING;
	t->jt_active--;
	t->jt_generation++;
	*ep = e;
	return 0;
}

void
jail_table_destroy_commit(struct jail_table *t, struct jail_entry *e)
{

	jail_unlink(t, e);
	t->jt_destroyed++;
}

void
jail_table_destroy_abort(struct jail_table *t, struct jail_entry *e)
{

	e->je_state = JAIL_STATE_ACTIVE;
	t->jt_active++;
	t->jt_generation++;
}

void
jail_entry_hold(struct jail_entry *e)
{

	e->je_holds++;
}

void
jail_entry_rele(struct jail_entry *e)
{

	if (e->je_holds > 0)
		e->je_holds--;
}

void
jail_entry_sample_cpu(struct jail_entry *e, uint64_t ticks_total)
{
	uint64_t delta;
	unsigned n = sizeof(e->je_cpu_ring) / sizeof(e->je_cpu_ring[0]);

	/*
	 * `ticks_total` sums the members alive now; when a busy member exits
	 * the sum drops, which is not negative work: count nothing then.
	 */
	delta = ticks_total > e->je_cpu_ticks_last ?
	    ticks_total - e->je_cpu_ticks_last : 0;
	e->je_cpu_ticks_last = ticks_total;
	e->je_cpu_ticks_total += delta;
	e->je_cpu_ticks_1s = delta;

	e->je_cpu_ring[e->je_cpu_ring_pos] = delta;
	e->je_cpu_ring_pos = (e->je_cpu_ring_pos + 1) % n;
	if (e->je_cpu_ring_len < n)
		e->je_cpu_ring_len++;
}

void
jail_table_count_denial(struct jail_table *t, struct jail_entry *e,
    uint32_t scope)
{

	if (scope >= JAIL_SCOPE_COUNT)
		scope = JAIL_SCOPE_SYSTEM;
	t->jt_denied[scope]++;
	if (e != NULL)
		e->je_denied[scope]++;
}

static uint64_t
jail_entry_cpu_10s(const struct jail_entry *e)
{
	uint64_t sum = 0;
	unsigned i;

	if (e->je_cpu_ring_len == 0)
		return 0;
	for (i = 0; i < e->je_cpu_ring_len; i++)
		sum += e->je_cpu_ring[i];
	return sum / e->je_cpu_ring_len;
}

void
jail_entry_info(const struct jail_table *t, const struct jail_entry *e,
    struct jail_info *out)
{
	const struct jail_create *s = &e->je_spec;
	unsigned i;

	memset(out, 0, sizeof(*out));
	out->ji_id = s->jc_id;
	out->ji_flags = s->jc_flags;
	out->ji_profile = s->jc_profile;
	out->ji_deny = s->jc_deny;
	out->ji_nports = s->jc_nports;
	for (i = 0; i < s->jc_nports && i < JAIL_PORTS_MAX; i++)
		out->ji_ports[i] = s->jc_ports[i];
	out->ji_created_ns = e->je_created_ns;
	out->ji_proc_live = e->je_proc_live;
	out->ji_proc_zombie = e->je_proc_zombie;
	out->ji_cpu_ticks_total = e->je_cpu_ticks_total;
	out->ji_cpu_ticks_1s = e->je_cpu_ticks_1s;
	out->ji_cpu_ticks_10s = jail_entry_cpu_10s(e);
	out->ji_cpu_hz = t->jt_cpu_hz;
	out->ji_memory_bytes = e->je_memory_bytes;
	out->ji_rlimit_nofile = s->jc_rlimit_nofile;
	out->ji_rlimit_as = s->jc_rlimit_as;
	out->ji_rlimit_core = s->jc_rlimit_core;
	for (i = 0; i < JAIL_SCOPE_COUNT; i++)
		out->ji_denied[i] = e->je_denied[i];
	memcpy(out->ji_name, s->jc_name, sizeof(out->ji_name));
	memcpy(out->ji_root, s->jc_root, sizeof(out->ji_root));
}

int
jail_table_snapshot(const struct jail_table *t, struct jail_info *buf,
    size_t cap, size_t *countp, uint64_t *genp)
{
	const struct jail_entry *e;
	size_t n = 0;

	*countp = t->jt_active;
	if (genp != NULL)
		*genp = t->jt_generation;
	if (buf == NULL && cap == 0)
		return 0;
	if (t->jt_active > cap)
		return ENOMEM;
	for (e = t->jt_all; e != NULL; e = e->je_all_next)
		if (e->je_state == JAIL_STATE_ACTIVE)
			jail_entry_info(t, e, &buf[n++]);
	return 0;
}

void
jail_table_stats(const struct jail_table *t, struct jail_stats *out)
{
	unsigned i;

	memset(out, 0, sizeof(*out));
	out->js_abi_version = JAIL_ABI_VERSION;
	out->js_jails = t->jt_active;
	out->js_generation = t->jt_generation;
	out->js_created = t->jt_created;
	out->js_destroyed = t->jt_destroyed;
	for (i = 0; i < JAIL_SCOPE_COUNT; i++)
		out->js_denied[i] = t->jt_denied[i];
}
