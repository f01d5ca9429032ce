/*
 * secmodel_jail_proc.c -- everything that walks or changes processes:
 * membership (destroy, kill), entering a jail, and the 1 Hz sampler.
 *
 * The kernel keeps no per-jail process list: membership is the jail ID in
 * a process's credential, so finding members means one pass over allproc
 * and zombproc under proc_lock.  Every walk here follows the module's lock
 * order (secmodel_jail.h): proc_lock, then a process's p_lock (to read its
 * credential, which p_lock protects), and jail_lock only after proc_lock
 * has been released.
 */
#include <sys/cdefs.h>
#include <sys/param.h>
#include <sys/types.h>
#include <sys/callout.h>
#include <sys/errno.h>
#include <sys/filedesc.h>
#include <sys/kauth.h>
#include <sys/kernel.h>
#include <sys/kmem.h>
#include <sys/mutex.h>
#include <sys/proc.h>
#include <sys/rwlock.h>
#include <sys/signal.h>
#include <sys/signalvar.h>
#include <sys/systm.h>

#include <uvm/uvm_extern.h>

#include "jail_sample.h"
#include "jail_table.h"
#include "secmodel_jail.h"

/*
 * proc_lock is a kmutex_t pointer up to NetBSD 9 and a kmutex_t in NetBSD
 * 10; take its address only when it is not one already.
 */
#define	JAIL_PROC_LOCK							\
	_Generic((proc_lock), kmutex_t *: (proc_lock), default: (&(proc_lock)))

static callout_t	jail_sampler;
static bool		jail_sampler_stopping;	/* jail_lock */

/* The jail of a process; its credential is stable only under p_lock. */
static jail_id_t
secmodel_jail_proc_id(struct proc *p)
{
	jail_id_t id;

	mutex_enter(p->p_lock);
	id = secmodel_jail_cred_id(p->p_cred);
	mutex_exit(p->p_lock);
	return id;
}

int
secmodel_jail_members(jail_id_t id, int sig, uint64_t *livep,
    uint64_t *zombiep)
{
	struct proc *p;
	uint64_t live = 0, zombie = 0;

	if (sig < 0 || sig >= NSIG)
		return EINVAL;

	/*
	 * One pass under proc_lock: no member can be missed (a fork inserts
	 * its child under proc_lock) and no PID can be recycled under us.
	 */
	mutex_enter(JAIL_PROC_LOCK);
	PROCLIST_FOREACH(p, &allproc) {
		if (secmodel_jail_proc_id(p) != id)
			continue;
		if (P_ZOMBIE(p)) {
			zombie++;
			continue;
		}
		live++;
		if (sig != 0 && p->p_stat != SIDL)
			psignal(p, sig);	/* takes p_lock itself */
	}
	PROCLIST_FOREACH(p, &zombproc) {
		if (secmodel_jail_proc_id(p) == id)
			zombie++;
	}
	mutex_exit(JAIL_PROC_LOCK);

	*livep = live;
	*zombiep = zombie;
	return 0;
}

bool
secmodel_jail_chrooted_at(struct lwp *l, struct vnode *rootvp)
{
	struct cwdinfo *cwdi = l->l_proc->p_cwdi;
	bool at;

	if (rootvp == NULL)
		return false;
	rw_enter(&cwdi->cwdi_lock, RW_READER);
	at = cwdi->cwdi_rdir == rootvp;
	rw_exit(&cwdi->cwdi_lock);
	return at;
}

/*
 * Replace the calling process's credential by a copy carrying `id`.  The
 * core has checked that the caller is host root and holds the jail.
 */
int
secmodel_jail_enter_cred(struct lwp *l, jail_id_t id)
{
	struct proc *p = l->l_proc;
	kauth_cred_t ocred, ncred;

	/*
	 * Store the ID before taking p_lock (it may allocate).  The clone
	 * below keeps it: the copy hook only propagates jailed IDs, and the
	 * source is a host credential.
	 */
	ncred = kauth_cred_alloc();
	secmodel_jail_cred_set(ncred, id);

	proc_crmod_enter();
	ocred = p->p_cred;
	if (secmodel_jail_cred_id(ocred) != JAIL_ID_HOST) {
		/* Another thread of this process entered meanwhile. */
		proc_crmod_leave(NULL, NULL, false);
		kauth_cred_free(ncred);
		return EPERM;
	}
	kauth_cred_clone(ocred, ncred);
	proc_crmod_leave(ncred, ocred, false);
	return 0;
}

/* Add one process to the sample: credential, state, ticks, memory. */
static void
secmodel_jail_sample_proc(struct proc *p, struct jail_sample *s, size_t n,
    bool zombie)
{
	uint64_t ticks = 0, memory = 0;
	jail_id_t id;

	mutex_enter(p->p_lock);
	id = secmodel_jail_cred_id(p->p_cred);
	if (id == JAIL_ID_HOST || jail_sample_find(s, n, id) == NULL) {
		mutex_exit(p->p_lock);
		return;
	}
	zombie = zombie || P_ZOMBIE(p);
	if (!zombie && p->p_stat != SIDL) {
		mutex_spin_enter(&p->p_stmutex);
		ticks = p->p_uticks + p->p_sticks + p->p_iticks;
		mutex_spin_exit(&p->p_stmutex);
		/* As kern.proc2 does: the vmspace is stable while we hold
		 * p_reflock, and we never wait for it. */
		if (rw_tryenter(&p->p_reflock, RW_READER)) {
			memory = (uint64_t)vm_resident_count(p->p_vmspace) *
			    PAGE_SIZE;
			rw_exit(&p->p_reflock);
		}
	}
	mutex_exit(p->p_lock);
	(void)jail_sample_account(s, n, id, zombie, ticks, memory);
}

/*
 * The 1 Hz sampler (a callout, so softint context: it may block on the
 * adaptive proc_lock but must not sleep, hence KM_NOSLEEP; a sample that
 * cannot get memory is skipped).  Three steps, never two locks at once:
 * copy the IDs under jail_lock, walk under proc_lock, publish under
 * jail_lock.
 */
static void
secmodel_jail_sample(void *arg)
{
	struct jail_sample *s = NULL;
	struct proc *p;
	size_t cap, n;
	bool stop;

	mutex_enter(&jail_lock);
	stop = jail_sampler_stopping;
	cap = jail_table.jt_active;
	mutex_exit(&jail_lock);
	if (stop)
		return;
	if (cap == 0 || (s = kmem_alloc(cap * sizeof(*s), KM_NOSLEEP)) == NULL)
		goto again;

	mutex_enter(&jail_lock);
	n = jail_sample_begin(&jail_table, s, cap);
	mutex_exit(&jail_lock);

	mutex_enter(JAIL_PROC_LOCK);
	PROCLIST_FOREACH(p, &allproc)
		secmodel_jail_sample_proc(p, s, n, false);
	PROCLIST_FOREACH(p, &zombproc)
		secmodel_jail_sample_proc(p, s, n, true);
	mutex_exit(JAIL_PROC_LOCK);

	mutex_enter(&jail_lock);
	jail_sample_commit(&jail_table, s, n);
	mutex_exit(&jail_lock);
	kmem_free(s, cap * sizeof(*s));
again:
	mutex_enter(&jail_lock);
	if (!jail_sampler_stopping)
		callout_schedule(&jail_sampler, hz);
	mutex_exit(&jail_lock);
}

void
secmodel_jail_sampler_init(void)
{

	jail_sampler_stopping = false;
	callout_init(&jail_sampler, CALLOUT_MPSAFE);
	callout_setfunc(&jail_sampler, secmodel_jail_sample, NULL);
}

void
secmodel_jail_sampler_start(void)
{

	callout_schedule(&jail_sampler, hz);
}

void
secmodel_jail_sampler_stop(void)
{

	/* The flag stops re-arming; halt waits for a running sample. */
	mutex_enter(&jail_lock);
	jail_sampler_stopping = true;
	mutex_exit(&jail_lock);
	callout_halt(&jail_sampler, NULL);
}

void
secmodel_jail_sampler_fini(void)
{

	callout_destroy(&jail_sampler);
}
