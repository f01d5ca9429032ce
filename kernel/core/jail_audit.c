/*
 * jail_audit.c -- deny counters and the per-scope log rate limit.
 */
#include "jail_kernlib.h"
#include "jail_audit.h"

void
jail_ratelimit_init(struct jail_ratelimit *rl)
{

	memset(rl, 0, sizeof(*rl));
}

int
jail_ratelimit_allow(struct jail_ratelimit *rl, uint32_t scope,
    uint64_t now_ns, uint64_t *droppedp)
{

	if (scope >= JAIL_SCOPE_COUNT)
		scope = JAIL_SCOPE_SYSTEM;
	if (now_ns < rl->rl_next_ns[scope]) {
		rl->rl_pending[scope]++;
		rl->rl_suppressed++;
		return 0;
	}
	rl->rl_next_ns[scope] = now_ns + JAIL_LOG_INTERVAL_NS;
	if (droppedp != NULL)
		*droppedp = rl->rl_pending[scope];
	rl->rl_pending[scope] = 0;
	return 1;
}

int
jail_audit_deny(struct jail_table *t, struct jail_ratelimit *rl,
    jail_id_t jail, uint32_t scope, uint64_t now_ns, uint64_t *droppedp)
{
	struct jail_entry *e;

	e = jail == JAIL_ID_HOST ? NULL : jail_table_find_id_any(t, jail);
	jail_table_count_denial(t, e, scope);
	return jail_ratelimit_allow(rl, scope, now_ns, droppedp);
}
