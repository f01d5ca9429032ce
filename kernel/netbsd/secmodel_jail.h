/*
 * secmodel_jail.h -- shared between the files of the secmodel_jail module.
 * Not an interface: userland uses kernel/core/jail_abi.h only.
 *
 * Lock order (see also secmodel_jail(4)):
 *
 *	proc_lock -> p->p_lock -> jail_lock
 *
 * jail_lock (an adaptive mutex, IPL_NONE) guards jail_table and
 * jail_ratelimit.  It is a leaf: nothing else is ever acquired while it is
 * held, and nothing that may sleep runs under it (the core never allocates;
 * copyin/copyout, namei and process walks happen with it released).  The
 * kauth listeners take it while their callers may hold proc_lock or a
 * process's p_lock, which is why it must stay last in the order; the
 * sampler and the member walks therefore never take proc_lock while
 * holding jail_lock (they gather first, then publish).
 */
#ifndef _SECMODEL_JAIL_H_
#define _SECMODEL_JAIL_H_

#include <sys/types.h>
#include <sys/kauth.h>
#include <sys/mutex.h>

#include <secmodel/secmodel.h>

#include "jail_abi.h"
#include "jail_audit.h"
#include "jail_table.h"

/* A table entry plus what only the kernel holds for it. */
struct secmodel_jail_entry {
	struct jail_entry	sje_core;	/* first: the core's view */
	struct vnode		*sje_rootvp;	/* the jail's root, referenced */
};

#define	JAIL_SJE(e)	((struct secmodel_jail_entry *)(e))

extern kmutex_t			jail_lock;
extern struct jail_table	jail_table;
extern struct jail_ratelimit	jail_ratelimit;

/* Credentials (secmodel_jail_kauth.c). */
jail_id_t	secmodel_jail_cred_id(kauth_cred_t);
void		secmodel_jail_cred_set(kauth_cred_t, jail_id_t);
bool		secmodel_jail_is_host_root(kauth_cred_t);
int		secmodel_jail_listen(void);
void		secmodel_jail_unlisten(void);
int		secmodel_jail_key_init(secmodel_t);
void		secmodel_jail_key_fini(void);

/* Processes (secmodel_jail_proc.c). */
int		secmodel_jail_members(jail_id_t, int, uint64_t *, uint64_t *);
bool		secmodel_jail_chrooted_at(struct lwp *, struct vnode *);
int		secmodel_jail_enter_cred(struct lwp *, jail_id_t);
void		secmodel_jail_sampler_init(void);
void		secmodel_jail_sampler_start(void);
void		secmodel_jail_sampler_stop(void);
void		secmodel_jail_sampler_fini(void);

uint64_t	secmodel_jail_uptime_ns(void);

#endif /* _SECMODEL_JAIL_H_ */
