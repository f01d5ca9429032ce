/*
 * jail_sysctl.h -- the security.models.jail.* handlers, minus the kernel.
 *
 * Each handler takes the caller (who), the raw sysctl request (user
 * pointers and lengths exactly as sysctl(9) hands them over) and an
 * environment of callbacks for what only the kernel can do: lock the
 * table, allocate, copy to and from user space, walk processes, change a
 * credential.  The NetBSD module's handlers are one-line adapters to these
 * functions, and the C++ driver's tests run the very same functions
 * in-process through a fake environment, so every errno the module can
 * return is tested on Linux.
 *
 * Lock discipline, relied on by the module (see secmodel_jail.c):
 *   - se_lock/se_unlock guard the table and the rate limiter only;
 *   - no other callback is ever called with the table lock held, so
 *     callbacks may sleep, fault on user memory and take the process lock.
 *
 * Errors are errno values: see each handler and secmodel_jail(4).
 */
#ifndef JAIL_SYSCTL_H
#define JAIL_SYSCTL_H

#include "jail_abi.h"
#include "jail_audit.h"
#include "jail_policy.h"
#include "jail_table.h"

#ifdef __cplusplus
extern "C" {
#endif

struct jail_sysctl_env {
	struct jail_table	*se_table;
	struct jail_ratelimit	*se_ratelimit;

	void	(*se_lock)(void *ctx);
	void	(*se_unlock)(void *ctx);

	/* May sleep.  NULL means ENOMEM.  Entries come back zeroed. */
	struct jail_entry *(*se_entry_alloc)(void *ctx);
	void	(*se_entry_free)(void *ctx, struct jail_entry *e);
	void	*(*se_buf_alloc)(void *ctx, size_t len);
	void	(*se_buf_free)(void *ctx, void *buf, size_t len);

	/* User memory; errno (EFAULT). */
	int	(*se_copyin)(void *ctx, const void *uaddr, void *kaddr,
		    size_t len);
	int	(*se_copyout)(void *ctx, const void *kaddr, void *uaddr,
		    size_t len);

	uint64_t (*se_now_ns)(void *ctx);	/* monotonic */

	/*
	 * Optional: bind environment resources to a new entry before it is
	 * inserted (NetBSD: resolve and hold the root directory's vnode;
	 * ENOENT, ENOTDIR, ...).  se_entry_free releases them.
	 */
	int	(*se_entry_prepare)(void *ctx, struct jail_entry *e,
		    const struct jail_create *req);

	/*
	 * Find the member processes of `id` in one pass: count the live and
	 * zombie ones and send `sig` (0: none) to the live ones.
	 */
	int	(*se_members)(void *ctx, jail_id_t id, int sig,
		    uint64_t *livep, uint64_t *zombiep);

	/* Enter: is the caller chrooted at e's root?  (1 yes, 0 no) */
	int	(*se_chrooted_at)(void *ctx, const struct jail_entry *e);
	/* Enter: move the calling process's credential into jail `id`. */
	int	(*se_enter)(void *ctx, jail_id_t id);

	/* Optional audit hooks, called after the change is committed. */
	void	(*se_created)(void *ctx, const struct jail_create *spec);
	void	(*se_destroyed)(void *ctx, jail_id_t id, const char *name);
};

/* One sysctl request: old value out, new value in (user addresses). */
struct jail_sysctl_req {
	void		*sr_oldp;
	size_t		*sr_oldlenp;	/* may be NULL when sr_oldp is */
	const void	*sr_newp;
	size_t		sr_newlen;
};

/*
 * create: host root only.  EINVAL no new value; EPERM not host root;
 * ENOMEM no room for the reply (checked before anything changes); EINVAL
 * wrong size or invalid payload (jail_create_validate); what
 * se_entry_prepare returns; EEXIST name or port taken; EOVERFLOW IDs
 * exhausted; a copyout error (the jail is then not created).
 */
int jail_sysctl_create(const struct jail_sysctl_env *env, void *ctx,
    const struct jail_subject *who, const struct jail_sysctl_req *req);

/*
 * destroy: EPERM not host root; EINVAL no/short/long value or ID 0;
 * ENOENT no such jail; EBUSY holds outstanding or members remain (zombies
 * included).
 */
int jail_sysctl_destroy(const struct jail_sysctl_env *env, void *ctx,
    const struct jail_subject *who, const struct jail_sysctl_req *req);

/*
 * list: every ACTIVE jail as struct jail_info, ascending ID.  Host
 * credentials only (EPERM inside a jail); EPERM on a write; size query
 * when oldp is NULL; ENOMEM (with *oldlenp = the size needed) when the
 * buffer is too small; EOVERFLOW if the size does not fit a size_t.
 */
int jail_sysctl_list(const struct jail_sysctl_env *env, void *ctx,
    const struct jail_subject *who, const struct jail_sysctl_req *req);

/* stats: one struct jail_stats; same access rules as list. */
int jail_sysctl_stats(const struct jail_sysctl_env *env, void *ctx,
    const struct jail_subject *who, const struct jail_sysctl_req *req);

/*
 * id: reading returns the caller's own jail ID (anyone).  Writing a
 * jail_id_t enters that jail: EPERM unless host root (so a jailed process
 * can neither leave nor hop); writing 0 is a no-op; EINVAL wrong size;
 * ENOENT no such jail; EPERM unless the caller is chrooted at exactly the
 * jail's root.
 */
int jail_sysctl_id(const struct jail_sysctl_env *env, void *ctx,
    const struct jail_subject *who, const struct jail_sysctl_req *req);

/*
 * kill: struct jail_kill in and out.  EPERM not host root; EINVAL wrong
 * size, ID 0 or a negative signal; ENOENT no such jail; ENOMEM if an old
 * buffer is given but too small; what se_members returns (EINVAL for a
 * signal the kernel does not know).
 */
int jail_sysctl_kill(const struct jail_sysctl_env *env, void *ctx,
    const struct jail_subject *who, const struct jail_sysctl_req *req);

#ifdef __cplusplus
}
#endif

#endif /* JAIL_SYSCTL_H */
