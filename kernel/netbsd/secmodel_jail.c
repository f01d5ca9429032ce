/*
 * secmodel_jail.c -- the secmodel_jail kernel module: registration, module
 * life cycle and the security.models.jail sysctl tree.
 *
 * Everything that decides something lives in kernel/core (tested on any
 * host); this file only provides what the core asks of its environment:
 * the lock, kmem, copyin/copyout, namei for a jail's root, the caller's
 * credential.  See secmodel_jail.h for the lock order and
 * docs/secmodel_jail.4 for the interface.
 */
#include <sys/cdefs.h>
#include <sys/param.h>
#include <sys/types.h>
#include <sys/errno.h>
#include <sys/kauth.h>
#include <sys/kernel.h>
#include <sys/kmem.h>
#include <sys/module.h>
#include <sys/mutex.h>
#include <sys/namei.h>
#include <sys/proc.h>
#include <sys/sysctl.h>
#include <sys/syslog.h>
#include <sys/systm.h>
#include <sys/time.h>
#include <sys/vnode.h>

#include <secmodel/secmodel.h>

#include "jail_policy.h"
#include "jail_sysctl.h"
#include "secmodel_jail.h"

MODULE(MODULE_CLASS_SECMODEL, secmodel_jail, NULL);

kmutex_t		jail_lock;
struct jail_table	jail_table;
struct jail_ratelimit	jail_ratelimit;

static secmodel_t	jail_sm;
static struct sysctllog	*jail_sysctl_log;
/*
 * Set by MODULE_CMD_FINI, under the sysctl tree lock held as writer, once
 * the table is known to be empty: a create that comes after sees it (every
 * sysctl write holds that lock) and is refused.
 */
static bool		jail_closing;

uint64_t
secmodel_jail_uptime_ns(void)
{
	struct timespec ts;

	getnanouptime(&ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * The environment of the core's sysctl handlers; ctx is the calling lwp.
 */
static void
jail_env_lock(void *ctx)
{

	mutex_enter(&jail_lock);
}

static void
jail_env_unlock(void *ctx)
{

	mutex_exit(&jail_lock);
}

static struct jail_entry *
jail_env_entry_alloc(void *ctx)
{
	struct secmodel_jail_entry *sje;

	sje = kmem_zalloc(sizeof(*sje), KM_SLEEP);
	return &sje->sje_core;
}

static void
jail_env_entry_free(void *ctx, struct jail_entry *e)
{
	struct secmodel_jail_entry *sje = JAIL_SJE(e);

	if (sje->sje_rootvp != NULL)
		vrele(sje->sje_rootvp);
	kmem_free(sje, sizeof(*sje));
}

static void *
jail_env_buf_alloc(void *ctx, size_t len)
{

	return kmem_alloc(len, KM_SLEEP);
}

static void
jail_env_buf_free(void *ctx, void *buf, size_t len)
{

	kmem_free(buf, len);
}

static int
jail_env_copyin(void *ctx, const void *uaddr, void *kaddr, size_t len)
{

	return sysctl_copyin(ctx, uaddr, kaddr, len);
}

static int
jail_env_copyout(void *ctx, const void *kaddr, void *uaddr, size_t len)
{

	return sysctl_copyout(ctx, kaddr, uaddr, len);
}

static uint64_t
jail_env_now_ns(void *ctx)
{

	return secmodel_jail_uptime_ns();
}

/*
 * Resolve the root once, at create, and keep the vnode: entering compares
 * the caller's root directory with it, so renaming or replacing the path
 * later cannot make a different directory count as the jail's root.
 */
static int
jail_env_entry_prepare(void *ctx, struct jail_entry *e,
    const struct jail_create *req)
{
	struct vnode *vp;
	int error;

	error = namei_simple_kernel(req->jc_root, NSM_FOLLOW_NOEMULROOT, &vp);
	if (error != 0)
		return error;
	if (vp->v_type != VDIR) {
		vrele(vp);
		return ENOTDIR;
	}
	JAIL_SJE(e)->sje_rootvp = vp;
	return 0;
}

static int
jail_env_members(void *ctx, jail_id_t id, int sig, uint64_t *livep,
    uint64_t *zombiep)
{

	return secmodel_jail_members(id, sig, livep, zombiep);
}

static int
jail_env_chrooted_at(void *ctx, const struct jail_entry *e)
{

	return secmodel_jail_chrooted_at(ctx,
	    ((const struct secmodel_jail_entry *)e)->sje_rootvp);
}

static int
jail_env_enter(void *ctx, jail_id_t id)
{

	return secmodel_jail_enter_cred(ctx, id);
}

static void
jail_env_created(void *ctx, const struct jail_create *spec)
{
	struct lwp *l = ctx;

	log(LOG_INFO, "secmodel_jail: created jail id=%u name=%s root=%s "
	    "profile=%s ports=%u by pid=%d euid=%u\n", spec->jc_id,
	    spec->jc_name, spec->jc_root, jail_profile_name(spec->jc_profile),
	    spec->jc_nports, l->l_proc->p_pid,
	    kauth_cred_geteuid(l->l_cred));
}

static void
jail_env_destroyed(void *ctx, jail_id_t id, const char *name)
{
	struct lwp *l = ctx;

	log(LOG_INFO, "secmodel_jail: destroyed jail id=%u name=%s "
	    "by pid=%d euid=%u\n", id, name, l->l_proc->p_pid,
	    kauth_cred_geteuid(l->l_cred));
}

static const struct jail_sysctl_env jail_env = {
	.se_table = &jail_table,
	.se_ratelimit = &jail_ratelimit,
	.se_lock = jail_env_lock,
	.se_unlock = jail_env_unlock,
	.se_entry_alloc = jail_env_entry_alloc,
	.se_entry_free = jail_env_entry_free,
	.se_buf_alloc = jail_env_buf_alloc,
	.se_buf_free = jail_env_buf_free,
	.se_copyin = jail_env_copyin,
	.se_copyout = jail_env_copyout,
	.se_now_ns = jail_env_now_ns,
	.se_entry_prepare = jail_env_entry_prepare,
	.se_members = jail_env_members,
	.se_chrooted_at = jail_env_chrooted_at,
	.se_enter = jail_env_enter,
	.se_created = jail_env_created,
	.se_destroyed = jail_env_destroyed,
};

typedef int (*jail_handler_t)(const struct jail_sysctl_env *, void *,
    const struct jail_subject *, const struct jail_sysctl_req *);

static int
jail_sysctl_dispatch(jail_handler_t handler, struct lwp *l, void *oldp,
    size_t *oldlenp, const void *newp, size_t newlen)
{
	struct jail_sysctl_req req = {
		.sr_oldp = oldp,
		.sr_oldlenp = oldlenp,
		.sr_newp = newp,
		.sr_newlen = newlen,
	};
	struct jail_subject who;

	if (jail_closing)
		return ENXIO;
	who.jail = secmodel_jail_cred_id(l->l_cred);
	who.host_root = secmodel_jail_is_host_root(l->l_cred);
	return handler(&jail_env, l, &who, &req);
}

#define	JAIL_SYSCTL_NODE(node)						\
static int								\
secmodel_jail_sysctl_##node(SYSCTLFN_ARGS)				\
{									\
	return jail_sysctl_dispatch(jail_sysctl_##node, l, oldp,	\
	    oldlenp, newp, newlen);					\
}

JAIL_SYSCTL_NODE(id)
JAIL_SYSCTL_NODE(create)
JAIL_SYSCTL_NODE(destroy)
JAIL_SYSCTL_NODE(list)
JAIL_SYSCTL_NODE(stats)
JAIL_SYSCTL_NODE(kill)

static int
secmodel_jail_sysctl_setup(struct sysctllog **clog)
{
	const struct sysctlnode *models, *jail;
	int error;

	/* security.models is shared by every secmodel and never removed. */
	error = sysctl_createv(clog, 0, NULL, &models, CTLFLAG_PERMANENT,
	    CTLTYPE_NODE, "models", NULL, NULL, 0, NULL, 0,
	    CTL_SECURITY, CTL_CREATE, CTL_EOL);
	if (error != 0)
		return error;
	error = sysctl_createv(clog, 0, &models, &jail, 0,
	    CTLTYPE_NODE, "jail", SYSCTL_DESCR("Jails: secmodel_jail(4)"),
	    NULL, 0, NULL, 0, CTL_CREATE, CTL_EOL);
	if (error != 0)
		return error;

	error = sysctl_createv(clog, 0, &jail, NULL, CTLFLAG_READONLY,
	    CTLTYPE_STRING, "name", SYSCTL_DESCR("Name of the security model"),
	    NULL, 0, __UNCONST(SECMODEL_JAIL_NAME), 0, CTL_CREATE, CTL_EOL);
	if (error != 0)
		return error;
	error = sysctl_createv(clog, 0, &jail, NULL, CTLFLAG_READWRITE,
	    CTLTYPE_INT, "id",
	    SYSCTL_DESCR("The caller's jail ID; write an ID to enter it"),
	    secmodel_jail_sysctl_id, 0, NULL, 0, CTL_CREATE, CTL_EOL);
	if (error != 0)
		return error;
	error = sysctl_createv(clog, 0, &jail, NULL, CTLFLAG_READWRITE,
	    CTLTYPE_STRUCT, "create",
	    SYSCTL_DESCR("Create a jail (struct jail_create in and out)"),
	    secmodel_jail_sysctl_create, 0, NULL, sizeof(struct jail_create),
	    CTL_CREATE, CTL_EOL);
	if (error != 0)
		return error;
	error = sysctl_createv(clog, 0, &jail, NULL, CTLFLAG_READWRITE,
	    CTLTYPE_INT, "destroy",
	    SYSCTL_DESCR("Destroy the jail with the ID written"),
	    secmodel_jail_sysctl_destroy, 0, NULL, 0, CTL_CREATE, CTL_EOL);
	if (error != 0)
		return error;
	error = sysctl_createv(clog, 0, &jail, NULL, CTLFLAG_READONLY,
	    CTLTYPE_STRUCT, "list",
	    SYSCTL_DESCR("Every jail (array of struct jail_info)"),
	    secmodel_jail_sysctl_list, 0, NULL, 0, CTL_CREATE, CTL_EOL);
	if (error != 0)
		return error;
	error = sysctl_createv(clog, 0, &jail, NULL, CTLFLAG_READONLY,
	    CTLTYPE_STRUCT, "stats",
	    SYSCTL_DESCR("Module counters (struct jail_stats)"),
	    secmodel_jail_sysctl_stats, 0, NULL, sizeof(struct jail_stats),
	    CTL_CREATE, CTL_EOL);
	if (error != 0)
		return error;
	return sysctl_createv(clog, 0, &jail, NULL, CTLFLAG_READWRITE,
	    CTLTYPE_STRUCT, "kill",
	    SYSCTL_DESCR("Signal every member of a jail (struct jail_kill)"),
	    secmodel_jail_sysctl_kill, 0, NULL, sizeof(struct jail_kill),
	    CTL_CREATE, CTL_EOL);
}

static int
secmodel_jail_eval(const char *what, void *arg, void *ret)
{

	/* "jail-id": the jail of a credential, for other kernel parts. */
	if (strcmp(what, "jail-id") == 0) {
		*(jail_id_t *)ret = secmodel_jail_cred_id(arg);
		return 0;
	}
	return ENOENT;
}

/*
 * Bring the module up.  Every step is undone, in reverse, if a later one
 * fails, so a failed load leaves nothing registered.
 */
static int
secmodel_jail_init(void)
{
	int error;

	error = secmodel_register(&jail_sm, SECMODEL_JAIL_ID,
	    SECMODEL_JAIL_NAME, NULL, secmodel_jail_eval, NULL);
	if (error != 0)
		return error;
	if ((error = secmodel_jail_key_init(jail_sm)) != 0)
		goto fail_key;

	mutex_init(&jail_lock, MUTEX_DEFAULT, IPL_NONE);
	jail_table_init(&jail_table, (uint64_t)(stathz != 0 ? stathz : hz));
	jail_ratelimit_init(&jail_ratelimit);
	jail_closing = false;
	secmodel_jail_sampler_init();

	if ((error = secmodel_jail_listen()) != 0)
		goto fail_listen;
	jail_sysctl_log = NULL;
	if ((error = secmodel_jail_sysctl_setup(&jail_sysctl_log)) != 0)
		goto fail_sysctl;
	secmodel_jail_sampler_start();
	log(LOG_INFO, "secmodel_jail: loaded (ABI %u)\n", JAIL_ABI_VERSION);
	return 0;

fail_sysctl:
	sysctl_teardown(&jail_sysctl_log);
	secmodel_jail_unlisten();
fail_listen:
	secmodel_jail_sampler_fini();
	mutex_destroy(&jail_lock);
	secmodel_jail_key_fini();
fail_key:
	(void)secmodel_deregister(jail_sm);
	return error;
}

static int
secmodel_jail_fini(void)
{
	bool busy;

	/* No create can be in progress while we hold the tree as writer. */
	sysctl_lock(true);
	mutex_enter(&jail_lock);
	busy = jail_table_busy(&jail_table);
	if (!busy)
		jail_closing = true;
	mutex_exit(&jail_lock);
	sysctl_unlock();
	if (busy)
		return EBUSY;

	log(LOG_INFO, "secmodel_jail: unloading\n");
	secmodel_jail_sampler_stop();
	sysctl_teardown(&jail_sysctl_log);
	secmodel_jail_unlisten();
	secmodel_jail_sampler_fini();
	mutex_destroy(&jail_lock);
	secmodel_jail_key_fini();
	return secmodel_deregister(jail_sm);
}

static int
secmodel_jail_modcmd(modcmd_t cmd, void *arg)
{

	switch (cmd) {
	case MODULE_CMD_INIT:
		return secmodel_jail_init();
	case MODULE_CMD_FINI:
		return secmodel_jail_fini();
	case MODULE_CMD_AUTOUNLOAD:
		return EPERM;
	default:
		return ENOTTY;
	}
}
