/*
 * jail_policy.h -- the jail model's decisions as pure functions.
 *
 * Both drivers ask the same questions here: the NetBSD module's kauth
 * listeners translate (scope, action, request) into a jail_action and call
 * jail_policy_*; the Linux driver walks the same matrix to decide which
 * capabilities, seccomp rules and mounts a profile gets.  Nothing in this
 * file touches global state; every answer depends only on the arguments.
 *
 * Verdicts are DEFER (let the normal privilege checks decide) or DENY; the
 * jail model never grants anything.  A DENY names the counter to bump.
 */
#ifndef JAIL_POLICY_H
#define JAIL_POLICY_H

#include "jail_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

struct jail_table;

enum jail_verdict {
	JAIL_DEFER = 0,
	JAIL_DENY = 1
};

struct jail_decision {
	enum jail_verdict	verdict;
	uint32_t		scope;	/* JAIL_SCOPE_*; meaningful for DENY */
};

/*
 * The abstract vocabulary of the profile matrix (DESIGN.md section 3).
 * Keep the order: tests and the Linux driver iterate 0..JAIL_ACT_COUNT-1.
 */
enum jail_action {
	/* denied at every profile */
	JAIL_ACT_PRIVATE_READ = 0,	/* kernel log, private sysctls */
	/* denied at medium and high */
	JAIL_ACT_MOUNT,			/* mount, unmount, remount */
	JAIL_ACT_MODULE,		/* load/unload kernel modules */
	JAIL_ACT_MKNOD,
	JAIL_ACT_CHROOT,		/* chroot, pivot_root */
	JAIL_ACT_REBOOT,
	JAIL_ACT_SWAP,
	JAIL_ACT_ACCOUNTING,
	JAIL_ACT_TIME,			/* set the clock */
	JAIL_ACT_CPU_ADMIN,		/* CPU / processor-set administration */
	JAIL_ACT_KERNADDR,		/* kernel addresses, kernel memory */
	JAIL_ACT_FILEHANDLE,		/* open by file handle */
	JAIL_ACT_SYSCTL_WRITE,		/* write sysctls / kernel tunables */
	JAIL_ACT_NET_ADMIN,		/* routes, interfaces, firewall */
	JAIL_ACT_RAW_SOCKET,		/* raw and packet sockets */
	JAIL_ACT_ROUTE_SOCKET,		/* routing sockets */
	JAIL_ACT_DEVICE,		/* device operations */
	JAIL_ACT_MACHDEP,		/* machine-dependent operations */
	/* denied at high only */
	JAIL_ACT_SYSVIPC,
	JAIL_ACT_COUNT
};

/* Human name of an action ("mount", "sysvipc", ...), or "unknown". */
const char *jail_action_name(enum jail_action act);

/* Human name of a profile ("low", "medium", "high"), or NULL if invalid. */
const char *jail_profile_name(uint32_t profile);

/* The scope whose counter a denial of this action bumps. */
uint32_t jail_action_scope(enum jail_action act);

/*
 * Who is asking.  host_root is true only for euid 0 in jail 0; a jailed
 * root is not host root.
 */
struct jail_subject {
	jail_id_t	jail;
	int		host_root;
};

/*
 * A host-administration action by a process whose jail has the given
 * profile and extra denials (`deny`: bit (1u << act), the jc_deny field of a
 * named profile such as "medium + sysvipc").  Host credentials (jail 0)
 * always DEFER.  An unknown profile value fails closed: DENY.
 */
struct jail_decision jail_policy_action(const struct jail_subject *who,
    uint32_t profile, uint32_t deny, enum jail_action act);

/*
 * A process action (see, signal, trace, renice, set scheduling, ...) by
 * `who` on a process in `target` jail.  Host root may act on everything; any
 * other caller only on processes of its own jail (so unprivileged host users
 * cannot touch jailed processes either).
 */
struct jail_decision jail_policy_process(const struct jail_subject *who,
    jail_id_t target);

/* Address families the bind rule looks at; others always DEFER. */
#define JAIL_AF_INET	4
#define JAIL_AF_INET6	6

/*
 * Binding `port` (host byte order) in address family `af`.  The address is
 * deliberately ignored (wildcard, specific, loopback, v4-mapped: all the
 * same) and so is the protocol (TCP and UDP alike).  Port 0 and unreserved
 * ports DEFER; the owner DEFERs (reservation grants nothing); host root
 * DEFERs (exempt); everyone else is DENIED in the NETWORK scope.
 * `owner` is the jail that reserves the port, JAIL_ID_HOST if none (use
 * jail_table_port_owner()).
 */
struct jail_decision jail_policy_bind(const struct jail_subject *who,
    int af, uint16_t port, jail_id_t owner);

/*
 * The matrix itself: does `profile` plus the extra denials `deny` deny `act`
 * to a jailed process?  Returns 1 (deny), 0 (defer); an invalid profile or
 * action returns 1.
 */
int jail_profile_denies(uint32_t profile, uint32_t deny, enum jail_action act);

/* Bits of jc_deny that name real actions; others are invalid. */
#define JAIL_DENY_VALID_MASK	((uint32_t)((1u << JAIL_ACT_COUNT) - 1u))

/* The action called `name` (as jail_action_name), or JAIL_ACT_COUNT. */
enum jail_action jail_action_by_name(const char *name);

/* Human name of a scope ("process", "system", "network"), or "unknown". */
const char *jail_scope_name(uint32_t scope);

#ifdef __cplusplus
}
#endif

#endif /* JAIL_POLICY_H */
