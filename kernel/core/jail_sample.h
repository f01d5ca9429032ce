/*
 * jail_sample.h -- the 1 Hz telemetry sampler, without the process walk.
 *
 * The environment walks its processes under its process lock and must not
 * hold the table lock meanwhile (NetBSD: the documented order is
 * proc_lock -> jail_lock, and the kauth listeners take jail_lock while
 * their callers may hold a process's lock).  So a sample is three short
 * steps, none of which holds both locks:
 *
 *   1. table lock:   jail_sample_begin   copies the ACTIVE IDs (ascending)
 *   2. process lock: jail_sample_account for each member process
 *                    (binary search over the copied IDs, no table access)
 *   3. table lock:   jail_sample_commit  writes the sums into the entries
 *                    still present (a jail destroyed meanwhile is skipped;
 *                    one created meanwhile waits for the next sample)
 */
#ifndef JAIL_SAMPLE_H
#define JAIL_SAMPLE_H

#include "jail_abi.h"
#include "jail_table.h"

#ifdef __cplusplus
extern "C" {
#endif

struct jail_sample {
	jail_id_t	sm_id;
	uint32_t	sm_pad;
	uint64_t	sm_live;	/* member processes, excluding zombies */
	uint64_t	sm_zombie;
	uint64_t	sm_ticks;	/* statclock ticks of live members */
	uint64_t	sm_memory;	/* resident bytes of live members */
};

/* Fill up to `cap` slots with ACTIVE IDs, counters zeroed; returns how many. */
size_t jail_sample_begin(const struct jail_table *t, struct jail_sample *s,
    size_t cap);

/* The slot for `id`, or NULL (not a jail of this sample). */
struct jail_sample *jail_sample_find(struct jail_sample *s, size_t n,
    jail_id_t id);

/*
 * Add one process of jail `id` (ignored for the host and for unknown IDs).
 * Returns 1 if it was counted.
 */
int jail_sample_account(struct jail_sample *s, size_t n, jail_id_t id,
    int zombie, uint64_t ticks, uint64_t memory);

void jail_sample_commit(struct jail_table *t, const struct jail_sample *s,
    size_t n);

#ifdef __cplusplus
}
#endif

#endif /* JAIL_SAMPLE_H */
