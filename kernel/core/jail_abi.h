/*
 * jail_abi.h -- the one ABI shared by the secmodel_jail kernel module, the
 * userland drivers (NetBSD sysctl driver, Linux driver) and the tests.
 *
 * Any change to a structure layout below is ABI-breaking: bump
 * JAIL_ABI_VERSION and keep the static size checks at the bottom honest.
 * Layouts use explicit padding so that they are identical on every LP64 and
 * ILP32 target (no implicit holes, 8-byte aligned 64-bit fields).
 *
 * C99, freestanding: only fixed-width integer types are needed.
 */
#ifndef JAIL_ABI_H
#define JAIL_ABI_H

#if defined(_KERNEL)
#include <sys/types.h>
#else
#include <stdint.h>
#endif

#define JAIL_ABI_VERSION	1

/* Identity. ID 0 is the host; IDs are monotonic from 1, never reused. */
typedef uint32_t jail_id_t;
#define JAIL_ID_HOST		((jail_id_t)0)
#define JAIL_ID_MAX		((jail_id_t)0xffffffffu)

#define JAIL_NAME_MAX		63	/* bytes, excluding the NUL */
#define JAIL_ROOT_MAX		255	/* bytes, excluding the NUL */
#define JAIL_PORTS_MAX		32

/* Hardening profiles; the default when JAIL_CREATE_PROFILE is absent is HIGH. */
#define JAIL_PROFILE_LOW	0u
#define JAIL_PROFILE_MEDIUM	1u
#define JAIL_PROFILE_HIGH	2u
#define JAIL_PROFILE_DEFAULT	JAIL_PROFILE_HIGH

/* Create flags: which optional fields of struct jail_create are meaningful. */
#define JAIL_CREATE_PROFILE		0x00000001u
#define JAIL_CREATE_PORTS		0x00000002u
#define JAIL_CREATE_RLIMIT_NOFILE	0x00000004u
#define JAIL_CREATE_RLIMIT_AS		0x00000008u
#define JAIL_CREATE_RLIMIT_CORE		0x00000010u
#define JAIL_CREATE_DENY		0x00000020u	/* jc_deny is meaningful */
#define JAIL_CREATE_FLAGS_ALL		0x0000003fu

/* An rlimit value meaning "no limit" (maps to RLIM_INFINITY). */
#define JAIL_RLIMIT_INFINITY	((uint64_t)0xffffffffffffffffull)

/*
 * Denial scopes: every deny decision bumps exactly one counter.
 *   PROCESS  cross-jail process actions (see, signal, trace, renice, ...)
 *   SYSTEM   host administration: mount, modules, time, sysctl writes,
 *            private kernel state, devices, machine-dependent operations
 *   NETWORK  reserved-port binds and host-global network administration
 */
#define JAIL_SCOPE_PROCESS	0u
#define JAIL_SCOPE_SYSTEM	1u
#define JAIL_SCOPE_NETWORK	2u
#define JAIL_SCOPE_COUNT	3u

/*
 * security.models.jail.create: write a struct jail_create (exactly
 * sizeof(struct jail_create) bytes) as new value and read the same struct
 * back as old value; jc_id holds the new ID.  Ports are in host byte order.
 */
struct jail_create {
	uint32_t	jc_flags;
	jail_id_t	jc_id;			/* out: the new jail's ID */
	uint32_t	jc_profile;		/* JAIL_PROFILE_* */
	uint32_t	jc_deny;		/* extra denials: bit (1u << enum jail_action) */
	uint16_t	jc_nports;
	uint16_t	jc_pad0;		/* must be zero */
	uint32_t	jc_pad1;		/* must be zero */
	uint16_t	jc_ports[JAIL_PORTS_MAX];
	uint64_t	jc_rlimit_nofile;
	uint64_t	jc_rlimit_as;
	uint64_t	jc_rlimit_core;
	char		jc_name[JAIL_NAME_MAX + 1];
	char		jc_root[JAIL_ROOT_MAX + 1];
};

/*
 * security.models.jail.list: an array of struct jail_info, one per ACTIVE
 * jail, in ascending ID order.  Standard size-then-fetch protocol.
 * Telemetry fields are sampled (1 Hz on NetBSD); they are never computed on
 * the read path.
 */
struct jail_info {
	jail_id_t	ji_id;
	uint32_t	ji_flags;		/* the create flags */
	uint32_t	ji_profile;
	uint32_t	ji_deny;		/* extra denials, as jc_deny */
	uint16_t	ji_nports;
	uint16_t	ji_pad0;
	uint32_t	ji_pad1;
	uint16_t	ji_ports[JAIL_PORTS_MAX];
	uint64_t	ji_created_ns;		/* monotonic ns since boot */
	uint64_t	ji_proc_live;		/* member processes, excluding zombies */
	uint64_t	ji_proc_zombie;		/* member zombies */
	uint64_t	ji_cpu_ticks_total;	/* statclock ticks since create */
	uint64_t	ji_cpu_ticks_1s;	/* ticks during the last second */
	uint64_t	ji_cpu_ticks_10s;	/* average ticks/s over 10 samples */
	uint64_t	ji_cpu_hz;		/* ticks per second (stathz) */
	uint64_t	ji_memory_bytes;	/* resident memory of members */
	uint64_t	ji_rlimit_nofile;
	uint64_t	ji_rlimit_as;
	uint64_t	ji_rlimit_core;
	uint64_t	ji_denied[JAIL_SCOPE_COUNT];
	char		ji_name[JAIL_NAME_MAX + 1];
	char		ji_root[JAIL_ROOT_MAX + 1];
};

/*
 * security.models.jail.stats: one struct jail_stats for the whole module.
 */
struct jail_stats {
	uint32_t	js_abi_version;		/* JAIL_ABI_VERSION */
	uint32_t	js_jails;		/* ACTIVE jails */
	uint64_t	js_generation;		/* bumped on every table change */
	uint64_t	js_created;		/* successful creates since load */
	uint64_t	js_destroyed;
	uint64_t	js_denied[JAIL_SCOPE_COUNT];	/* all jails, incl. destroyed */
	uint64_t	js_log_suppressed;	/* deny log lines rate-limited away */
};

/*
 * security.models.jail.kill: write a struct jail_kill (exactly its size) as
 * new value and read the same struct back as old value.  Every live member
 * process of jk_id gets signal jk_signal (0: none, only count); the counts
 * of live and zombie members found come back.  Members are found by the
 * kernel in one pass under its process lock, so no process outside the jail
 * can be hit by a recycled PID.  Host root only.
 */
struct jail_kill {
	jail_id_t	jk_id;
	int32_t		jk_signal;		/* 0 .. NSIG-1 */
	uint64_t	jk_live;		/* out: live members signalled */
	uint64_t	jk_zombie;		/* out: zombie members */
};

/* sysctl names (security.models.jail.*) */
#define JAIL_SYSCTL_ROOT	"security.models.jail"
#define JAIL_SYSCTL_NAME	JAIL_SYSCTL_ROOT ".name"
#define JAIL_SYSCTL_ID		JAIL_SYSCTL_ROOT ".id"
#define JAIL_SYSCTL_CREATE	JAIL_SYSCTL_ROOT ".create"
#define JAIL_SYSCTL_DESTROY	JAIL_SYSCTL_ROOT ".destroy"
#define JAIL_SYSCTL_LIST	JAIL_SYSCTL_ROOT ".list"
#define JAIL_SYSCTL_STATS	JAIL_SYSCTL_ROOT ".stats"
#define JAIL_SYSCTL_KILL	JAIL_SYSCTL_ROOT ".kill"

#define SECMODEL_JAIL_ID	"org.netbsd.secmodel.jail"
#define SECMODEL_JAIL_NAME	"NetBSD Jail"

/* Layout checks: a failure here means the ABI changed by accident. */
#define JAIL_ABI_ASSERT(name, expr) \
	typedef char jail_abi_assert_##name[(expr) ? 1 : -1]
JAIL_ABI_ASSERT(create_size, sizeof(struct jail_create) == 432);
JAIL_ABI_ASSERT(info_size, sizeof(struct jail_info) == 520);
JAIL_ABI_ASSERT(stats_size, sizeof(struct jail_stats) == 64);
JAIL_ABI_ASSERT(kill_size, sizeof(struct jail_kill) == 24);

#endif /* JAIL_ABI_H */
