/*
 * jail_sample.c -- per-jail sums for the telemetry sampler.
 */
#include "jail_kernlib.h"
#include "jail_sample.h"

size_t
jail_sample_begin(const struct jail_table *t, struct jail_sample *s,
    size_t cap)
{
	const struct jail_entry *e;
	size_t n = 0;

	for (e = t->jt_all; e != NULL && n < cap; e = e->je_all_next) {
		if (e->je_state != JAIL_STATE_ACTIVE)
			continue;
		memset(&s[n], 0, sizeof(s[n]));
		s[n++].sm_id = e->je_spec.jc_id;
	}
	return n;
}

struct jail_sample *
jail_sample_find(struct jail_sample *s, size_t n, jail_id_t id)
{
	size_t lo = 0, hi = n;

	/* jt_all is in ascending ID order, so the slots are sorted. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s[mid].sm_id == id)
			return &s[mid];
		if (s[mid].sm_id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int
jail_sample_account(struct jail_sample *s, size_t n, jail_id_t id,
    int zombie, uint64_t ticks, uint64_t memory)
{
	struct jail_sample *slot;

	if (id == JAIL_ID_HOST || (slot = jail_sample_find(s, n, id)) == NULL)
		return 0;
	if (zombie) {
		slot->sm_zombie++;
		return 1;
	}
	slot->sm_live++;
	slot->sm_ticks += ticks;
	slot->sm_memory += memory;
	return 1;
}

void
jail_sample_commit(struct jail_table *t, const struct jail_sample *s,
    size_t n)
{
	struct jail_entry *e;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((e = jail_table_find_id_any(t, s[i].sm_id)) == NULL)
			continue;
		e->je_proc_live = s[i].sm_live;
		e->je_proc_zombie = s[i].sm_zombie;
		e->je_memory_bytes = s[i].sm_memory;
		jail_entry_sample_cpu(e, s[i].sm_ticks);
	}
}
