/*
 * jail_audit.h -- what happens after a DENY: counters and a rate-limited
 * log line.  The environment writes the line (log(9) in the kernel); the
 * decision whether to write it, and the counting, live here so that both
 * are tested.  At most one line per second per scope is written; the lines
 * dropped in between are counted, reported with the next line, and
 * exported as js_log_suppressed.
 */
#ifndef JAIL_AUDIT_H
#define JAIL_AUDIT_H

#include "jail_abi.h"
#include "jail_table.h"

#ifdef __cplusplus
extern "C" {
#endif

#define JAIL_LOG_INTERVAL_NS	1000000000ull	/* one line per scope per second */

struct jail_ratelimit {
	uint64_t	rl_next_ns[JAIL_SCOPE_COUNT];	/* earliest next line */
	uint64_t	rl_pending[JAIL_SCOPE_COUNT];	/* dropped since last line */
	uint64_t	rl_suppressed;			/* dropped since init */
};

void jail_ratelimit_init(struct jail_ratelimit *rl);

/*
 * May a line for `scope` be written at `now_ns` (monotonic)?  1: yes, and
 * *droppedp is the number of lines of that scope suppressed since the
 * previous one; 0: no, the line is counted as suppressed.
 */
int jail_ratelimit_allow(struct jail_ratelimit *rl, uint32_t scope,
    uint64_t now_ns, uint64_t *droppedp);

/*
 * Record one denial of a process of `jail` (JAIL_ID_HOST: an unprivileged
 * host process) in `scope`: bump the table's counter and, if the jail still
 * exists in any state, the jail's; then ask the rate limiter.  Returns what
 * jail_ratelimit_allow returns.  Caller holds the table lock.
 */
int jail_audit_deny(struct jail_table *t, struct jail_ratelimit *rl,
    jail_id_t jail, uint32_t scope, uint64_t now_ns, uint64_t *droppedp);

#ifdef __cplusplus
}
#endif

#endif /* JAIL_AUDIT_H */
