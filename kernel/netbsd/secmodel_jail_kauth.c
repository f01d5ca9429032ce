/*
 * secmodel_jail_kauth.c -- the kauth(9) side: the jail ID in every
 * credential, and one listener per scope.
 *
 * Listeners are thin: they decode (scope, action, request, arguments) into
 * the core's vocabulary (struct jail_subject, enum jail_action, a port) and
 * return what kernel/core decides.  They only ever return DEFER or DENY, so
 * the jail model never grants anything; normal privilege checks (suser,
 * securelevel, ...) still apply to everything that is deferred.
 *
 * Mapping of kauth requests to jail actions (documented in
 * secmodel_jail(4)); anything not listed DEFERs:
 *   process scope      every action on another process: the cross-jail rule
 *   network BIND       the reserved-port rule (AF_INET/AF_INET6 only)
 *   network SOCKET     OPEN of PF_ROUTE -> route_socket; OPEN of SOCK_RAW or
 *                      RAWSOCK -> raw_socket; DROP, SETPRIV -> net_admin
 *   network INTERFACE  every request except GET -> net_admin
 *   network ALTQ, FIREWALL, FORWSRCRT, NFS, ROUTE, IPSEC, SMB, INTERFACE_*
 *                      (ppp, slip, strip, tun, bridge, pvc) -> net_admin
 *   system             see secmodel_jail_system_action()
 *   device             every action except TTY_OPEN -> device
 *   machdep            every action -> machdep
 */
#include <sys/cdefs.h>
#include <sys/param.h>
#include <sys/types.h>
#include <sys/errno.h>
#include <sys/kauth.h>
#include <sys/mutex.h>
#include <sys/proc.h>
#include <sys/socket.h>
#include <sys/syslog.h>
#include <sys/systm.h>

#include <netinet/in.h>

#include <secmodel/secmodel.h>

#include "jail_audit.h"
#include "jail_policy.h"
#include "jail_table.h"
#include "secmodel_jail.h"

/* "No jail action": the request is not the jail model's business. */
#define	JAIL_ACT_NONE	(-1)

static kauth_key_t jail_key;
static kauth_listener_t jail_l_cred, jail_l_process, jail_l_network,
    jail_l_system, jail_l_device, jail_l_machdep;

int
secmodel_jail_key_init(secmodel_t sm)
{

	return kauth_register_key(sm, &jail_key);
}

void
secmodel_jail_key_fini(void)
{

	(void)kauth_deregister_key(jail_key);
}

/*
 * The jail ID is kept in the credential's specificdata as a pointer-sized
 * integer.  A credential that never had it set reads as NULL, that is the
 * host (0), so KAUTH_CRED_INIT needs to store nothing.
 */
jail_id_t
secmodel_jail_cred_id(kauth_cred_t cred)
{

	if (cred == NOCRED || cred == FSCRED)
		return JAIL_ID_HOST;
	return (jail_id_t)(uintptr_t)kauth_cred_getdata(cred, jail_key);
}

void
secmodel_jail_cred_set(kauth_cred_t cred, jail_id_t id)
{

	kauth_cred_setdata(cred, jail_key, (void *)(uintptr_t)id);
}

/* Effective root, asked of secmodel_suser; the classic rule without it. */
static bool
secmodel_jail_euid_root(kauth_cred_t cred)
{
	bool isroot = false;

	if (secmodel_eval("org.netbsd.secmodel.suser", "is-root", cred,
	    &isroot) != 0)
		isroot = kauth_cred_geteuid(cred) == 0;
	return isroot;
}

/* Host root: effective root in jail 0.  Jailed root is not host root. */
bool
secmodel_jail_is_host_root(kauth_cred_t cred)
{

	return secmodel_jail_cred_id(cred) == JAIL_ID_HOST &&
	    secmodel_jail_euid_root(cred);
}

/*
 * Count a denial and write a rate-limited line.  jail_lock is a leaf (see
 * secmodel_jail.h), so taking it here is safe whatever the caller holds.
 */
static int
secmodel_jail_deny(kauth_cred_t cred, jail_id_t jail, uint32_t scope,
    const char *what, unsigned long action, unsigned long req,
    unsigned long arg)
{
	uint64_t now, dropped = 0;
	int log_it;

	now = secmodel_jail_uptime_ns();
	mutex_enter(&jail_lock);
	log_it = jail_audit_deny(&jail_table, &jail_ratelimit, jail, scope,
	    now, &dropped);
	mutex_exit(&jail_lock);

	if (log_it)
		log(LOG_NOTICE, "secmodel_jail: deny scope=%s jail=%u pid=%d "
		    "euid=%u what=%s action=%lu req=%lu arg=%lu "
		    "suppressed=%" PRIu64 "\n", jail_scope_name(scope), jail,
		    curproc->p_pid, kauth_cred_geteuid(cred), what, action,
		    req, arg, dropped);
	return KAUTH_RESULT_DENY;
}

/*
 * A host-administration action by `cred`: the verdict of the caller's
 * profile.  Host credentials defer before any lookup.  A jailed credential
 * whose jail is gone (a credential can outlive its processes, e.g. on an
 * open file) has no profile: the core fails closed.
 */
static int
secmodel_jail_action(kauth_cred_t cred, int act, unsigned long action,
    unsigned long req)
{
	struct jail_subject who;
	struct jail_entry *e;
	struct jail_decision d;
	uint32_t profile = UINT32_MAX, deny = 0;

	if (act == JAIL_ACT_NONE)
		return KAUTH_RESULT_DEFER;
	who.jail = secmodel_jail_cred_id(cred);
	if (who.jail == JAIL_ID_HOST)
		return KAUTH_RESULT_DEFER;
	who.host_root = 0;

	mutex_enter(&jail_lock);
	if ((e = jail_table_find_id_any(&jail_table, who.jail)) != NULL) {
		profile = e->je_spec.jc_profile;
		deny = e->je_spec.jc_deny;
	}
	mutex_exit(&jail_lock);

	d = jail_policy_action(&who, profile, deny, (enum jail_action)act);
	if (d.verdict == JAIL_DENY)
		return secmodel_jail_deny(cred, who.jail, d.scope,
		    jail_action_name((enum jail_action)act), action, req, 0);
	return KAUTH_RESULT_DEFER;
}

/*
 * KAUTH_SCOPE_CRED: carry the jail ID into every copy of a credential
 * (fork shares the parent's credential; exec, setuid and friends copy it).
 *
 * Credential-scope listeners are hooks, not authorizations: kauth asserts
 * (under DIAGNOSTIC) that they all return ALLOW, which grants nothing here.
 */
static int
secmodel_jail_cred_cb(kauth_cred_t cred, kauth_action_t action, void *cookie,
    void *arg0, void *arg1, void *arg2, void *arg3)
{
	jail_id_t id;

	if (action == KAUTH_CRED_COPY) {
		/* Only jailed IDs are stored: host credentials stay lean. */
		if ((id = secmodel_jail_cred_id(cred)) != JAIL_ID_HOST)
			secmodel_jail_cred_set(arg0, id);
	}
	return KAUTH_RESULT_ALLOW;
}

/*
 * KAUTH_SCOPE_PROCESS: arg0 is always the target process.  Every action on
 * a process of another jail is refused, in both directions, unless the
 * caller is host root.
 */
static int
secmodel_jail_process_cb(kauth_cred_t cred, kauth_action_t action,
    void *cookie, void *arg0, void *arg1, void *arg2, void *arg3)
{
	struct proc *target = arg0;
	struct jail_subject who;
	struct jail_decision d;
	jail_id_t tjail;

	if (target == NULL)
		return KAUTH_RESULT_DEFER;
	who.jail = secmodel_jail_cred_id(cred);
	/*
	 * Callers may hold the target's p_lock; its p_cred may only be read,
	 * as every secmodel does here.
	 */
	tjail = secmodel_jail_cred_id(target->p_cred);
	if (who.jail == tjail)
		return KAUTH_RESULT_DEFER;
	who.host_root = secmodel_jail_is_host_root(cred);
	d = jail_policy_process(&who, tjail);
	if (d.verdict == JAIL_DENY)
		return secmodel_jail_deny(cred, who.jail, d.scope,
		    "cross-jail", action, (unsigned long)arg1,
		    (unsigned long)target->p_pid);
	return KAUTH_RESULT_DEFER;
}

/* A bind: the reserved-port rule, on the port only. */
static int
secmodel_jail_bind(kauth_cred_t cred, unsigned long req,
    const struct sockaddr *sa)
{
	struct jail_subject who;
	struct jail_decision d;
	jail_id_t owner;
	uint16_t port;
	int af;

	if (sa == NULL)
		return KAUTH_RESULT_DEFER;
	switch (sa->sa_family) {
	case AF_INET:
		af = JAIL_AF_INET;
		port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
		break;
#ifdef AF_INET6
	case AF_INET6:
		af = JAIL_AF_INET6;
		port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
		break;
#endif
	default:
		return KAUTH_RESULT_DEFER;
	}
	if (port == 0)
		return KAUTH_RESULT_DEFER;

	mutex_enter(&jail_lock);
	owner = jail_table_port_owner(&jail_table, port);
	mutex_exit(&jail_lock);
	if (owner == JAIL_ID_HOST)
		return KAUTH_RESULT_DEFER;

	who.jail = secmodel_jail_cred_id(cred);
	who.host_root = who.jail == JAIL_ID_HOST &&
	    secmodel_jail_euid_root(cred);
	d = jail_policy_bind(&who, af, port, owner);
	if (d.verdict == JAIL_DENY)
		return secmodel_jail_deny(cred, who.jail, d.scope, "bind",
		    KAUTH_NETWORK_BIND, req, port);
	return KAUTH_RESULT_DEFER;
}

static int
secmodel_jail_socket_action(unsigned long req, unsigned long domain,
    unsigned long type)
{

	switch (req) {
	case KAUTH_REQ_NETWORK_SOCKET_OPEN:
		if (domain == PF_ROUTE)
			return JAIL_ACT_ROUTE_SOCKET;
#ifdef PF_OROUTE
		if (domain == PF_OROUTE)
			return JAIL_ACT_ROUTE_SOCKET;
#endif
		if (type == SOCK_RAW)
			return JAIL_ACT_RAW_SOCKET;
		return JAIL_ACT_NONE;
	case KAUTH_REQ_NETWORK_SOCKET_RAWSOCK:
		return JAIL_ACT_RAW_SOCKET;
	case KAUTH_REQ_NETWORK_SOCKET_DROP:
	case KAUTH_REQ_NETWORK_SOCKET_SETPRIV:
		return JAIL_ACT_NET_ADMIN;
	default:		/* CANSEE: the host's normal rules */
		return JAIL_ACT_NONE;
	}
}

static int
secmodel_jail_network_cb(kauth_cred_t cred, kauth_action_t action,
    void *cookie, void *arg0, void *arg1, void *arg2, void *arg3)
{
	unsigned long req = (unsigned long)arg0;
	int act;

	switch (action) {
	case KAUTH_NETWORK_BIND:
		return secmodel_jail_bind(cred, req, arg2);
	case KAUTH_NETWORK_SOCKET:
		act = secmodel_jail_socket_action(req, (unsigned long)arg1,
		    (unsigned long)arg2);
		break;
	case KAUTH_NETWORK_INTERFACE:
		act = req == KAUTH_REQ_NETWORK_INTERFACE_GET ?
		    JAIL_ACT_NONE : JAIL_ACT_NET_ADMIN;
		break;
	case KAUTH_NETWORK_ALTQ:
	case KAUTH_NETWORK_FIREWALL:
	case KAUTH_NETWORK_FORWSRCRT:
	case KAUTH_NETWORK_NFS:
	case KAUTH_NETWORK_ROUTE:
	case KAUTH_NETWORK_IPSEC:
	case KAUTH_NETWORK_SMB:
	case KAUTH_NETWORK_INTERFACE_PPP:
	case KAUTH_NETWORK_INTERFACE_SLIP:
	case KAUTH_NETWORK_INTERFACE_STRIP:
	case KAUTH_NETWORK_INTERFACE_TUN:
	case KAUTH_NETWORK_INTERFACE_BRIDGE:
	case KAUTH_NETWORK_INTERFACE_PVC:
		act = JAIL_ACT_NET_ADMIN;
		break;
	default:		/* IPV6 socket options: per socket, not host-global */
		act = JAIL_ACT_NONE;
		break;
	}
	return secmodel_jail_action(cred, act, action, req);
}

/* KAUTH_SCOPE_SYSTEM requests that are host administration. */
static int
secmodel_jail_system_action(kauth_action_t action, unsigned long req)
{

	switch (action) {
	case KAUTH_SYSTEM_ACCOUNTING:
		return JAIL_ACT_ACCOUNTING;
	case KAUTH_SYSTEM_CHROOT:
		return JAIL_ACT_CHROOT;
	case KAUTH_SYSTEM_CPU:
	case KAUTH_SYSTEM_PSET:
	case KAUTH_SYSTEM_INTR:
		return JAIL_ACT_CPU_ADMIN;
	case KAUTH_SYSTEM_DEBUG:
	case KAUTH_SYSTEM_KERNADDR:
	case KAUTH_SYSTEM_MAP_VA_ZERO:
		return JAIL_ACT_KERNADDR;
	case KAUTH_SYSTEM_FILEHANDLE:
		return JAIL_ACT_FILEHANDLE;
	case KAUTH_SYSTEM_MKNOD:
		return JAIL_ACT_MKNOD;
	case KAUTH_SYSTEM_MOUNT:
		/* Listing mounts is not administration. */
		return req == KAUTH_REQ_SYSTEM_MOUNT_GET ?
		    JAIL_ACT_NONE : JAIL_ACT_MOUNT;
	case KAUTH_SYSTEM_FS_QUOTA:
		return req == KAUTH_REQ_SYSTEM_FS_QUOTA_GET ?
		    JAIL_ACT_NONE : JAIL_ACT_MOUNT;
	case KAUTH_SYSTEM_FS_EXTATTR:
	case KAUTH_SYSTEM_FS_SNAPSHOT:
	case KAUTH_SYSTEM_LFS:
		return JAIL_ACT_MOUNT;
	case KAUTH_SYSTEM_REBOOT:
		return JAIL_ACT_REBOOT;
	case KAUTH_SYSTEM_SWAPCTL:
		return JAIL_ACT_SWAP;
	case KAUTH_SYSTEM_TIME:
		return JAIL_ACT_TIME;
	case KAUTH_SYSTEM_MODULE:
		return JAIL_ACT_MODULE;
	case KAUTH_SYSTEM_SYSCTL:
		switch (req) {
		case KAUTH_REQ_SYSTEM_SYSCTL_PRVT:
			return JAIL_ACT_PRIVATE_READ;
		case KAUTH_REQ_SYSTEM_SYSCTL_ADD:
		case KAUTH_REQ_SYSTEM_SYSCTL_DELETE:
		case KAUTH_REQ_SYSTEM_SYSCTL_MODIFY:
			return JAIL_ACT_SYSCTL_WRITE;
		default:	/* DESC: reading descriptions */
			return JAIL_ACT_NONE;
		}
	case KAUTH_SYSTEM_SETIDCORE:
		return JAIL_ACT_SYSCTL_WRITE;
	case KAUTH_SYSTEM_VERIEXEC:
	case KAUTH_SYSTEM_DEVMAPPER:
		return JAIL_ACT_DEVICE;
	case KAUTH_SYSTEM_SYSVIPC:
	case KAUTH_SYSTEM_SEMAPHORE:
	case KAUTH_SYSTEM_MQUEUE:
		/*
		 * Every access check of these host-wide IPC namespaces goes
		 * through kauth, so denying them denies the IPC itself.
		 */
		return JAIL_ACT_SYSVIPC;
	default:		/* CHSYSFLAGS, FS_RESERVEDSPACE, unknown */
		return JAIL_ACT_NONE;
	}
}

static int
secmodel_jail_system_cb(kauth_cred_t cred, kauth_action_t action,
    void *cookie, void *arg0, void *arg1, void *arg2, void *arg3)
{
	unsigned long req = (unsigned long)arg0;

	return secmodel_jail_action(cred,
	    secmodel_jail_system_action(action, req), action, req);
}

static int
secmodel_jail_device_cb(kauth_cred_t cred, kauth_action_t action,
    void *cookie, void *arg0, void *arg1, void *arg2, void *arg3)
{

	/*
	 * Opening a tty is asked with tty_lock (a spin mutex) held, where this
	 * listener must not touch anything that may block; ttys are governed
	 * by the device nodes present in the jail's root instead.
	 */
	if (action == KAUTH_DEVICE_TTY_OPEN)
		return KAUTH_RESULT_DEFER;
	return secmodel_jail_action(cred, JAIL_ACT_DEVICE, action,
	    (unsigned long)arg0);
}

static int
secmodel_jail_machdep_cb(kauth_cred_t cred, kauth_action_t action,
    void *cookie, void *arg0, void *arg1, void *arg2, void *arg3)
{

	return secmodel_jail_action(cred, JAIL_ACT_MACHDEP, action,
	    (unsigned long)arg0);
}

void
secmodel_jail_unlisten(void)
{

	/* kauth_unlisten_scope(NULL) is a no-op: partial starts unwind. */
	kauth_unlisten_scope(jail_l_machdep);
	kauth_unlisten_scope(jail_l_device);
	kauth_unlisten_scope(jail_l_system);
	kauth_unlisten_scope(jail_l_network);
	kauth_unlisten_scope(jail_l_process);
	kauth_unlisten_scope(jail_l_cred);
	jail_l_machdep = jail_l_device = jail_l_system = NULL;
	jail_l_network = jail_l_process = jail_l_cred = NULL;
}

int
secmodel_jail_listen(void)
{

	jail_l_cred = kauth_listen_scope(KAUTH_SCOPE_CRED,
	    secmodel_jail_cred_cb, NULL);
	jail_l_process = kauth_listen_scope(KAUTH_SCOPE_PROCESS,
	    secmodel_jail_process_cb, NULL);
	jail_l_network = kauth_listen_scope(KAUTH_SCOPE_NETWORK,
	    secmodel_jail_network_cb, NULL);
	jail_l_system = kauth_listen_scope(KAUTH_SCOPE_SYSTEM,
	    secmodel_jail_system_cb, NULL);
	jail_l_device = kauth_listen_scope(KAUTH_SCOPE_DEVICE,
	    secmodel_jail_device_cb, NULL);
	jail_l_machdep = kauth_listen_scope(KAUTH_SCOPE_MACHDEP,
	    secmodel_jail_machdep_cb, NULL);
	if (jail_l_cred == NULL || jail_l_process == NULL ||
	    jail_l_network == NULL || jail_l_system == NULL ||
	    jail_l_device == NULL || jail_l_machdep == NULL) {
		secmodel_jail_unlisten();
		return ENOMEM;
	}
	return 0;
}
