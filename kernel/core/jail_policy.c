/*
 * jail_policy.c -- the profile matrix and the process and bind rules.
 *
 * Pure functions: no globals, no locks, no allocation.  The matrix is data
 * (jail_action_min_profile below), so the NetBSD listeners, the Linux
 * driver and the tests all read the same table.
 */
#include "jail_kernlib.h"
#include "jail_policy.h"

/*
 * The least strict profile that denies each action, and the action's name
 * (the manifest's `deny:` vocabulary) and counter.  Order follows
 * enum jail_action.
 */
static const struct jail_action_row {
	const char	*name;
	uint32_t	min_profile;
	uint32_t	scope;
} jail_actions[JAIL_ACT_COUNT] = {
	[JAIL_ACT_PRIVATE_READ] = { "private_read", JAIL_PROFILE_LOW, JAIL_SCOPE_SYSTEM },
	[JAIL_ACT_MOUNT] =	{ "mount",	JAIL_PROFILE_MEDIUM, JAIL_SCOPE_SYSTEM },
	[JAIL_ACT_MODULE] =	{ "module",	JAIL_PROFILE_MEDIUM, JAIL_SCOPE_SYSTEM },
	[JAIL_ACT_MKNOD] =	{ "mknod",	JAIL_PROFILE_MEDIUM, JAIL_SCOPE_SYSTEM },
	[JAIL_ACT_CHROOT] =	{ "chroot",	JAIL_PROFILE_MEDIUM, JAIL_SCOPE_SYSTEM },
	[JAIL_ACT_REBOOT] =	{ "reboot",	JAIL_PROFILE_MEDIUM, JAIL_SCOPE_SYSTEM },
	[JAIL_ACT_SWAP] =	{ "swap",	JAIL_PROFILE_MEDIUM, JAIL_SCOPE_SYSTEM },
	[JAIL_ACT_ACCOUNTING] =	{ "accounting",	JAIL_PROFILE_MEDIUM, JAIL_SCOPE_SYSTEM },
	[JAIL_ACT_TIME] =	{ "time",	JAIL_PROFILE_MEDIUM, JAIL_SCOPE_SYSTEM },
	[JAIL_ACT_CPU_ADMIN] =	{ "cpu_admin",	JAIL_PROFILE_MEDIUM, JAIL_SCOPE_SYSTEM },
	[JAIL_ACT_KERNADDR] =	{ "kernaddr",	JAIL_PROFILE_MEDIUM, JAIL_SCOPE_SYSTEM },
	[JAIL_ACT_FILEHANDLE] =	{ "filehandle",	JAIL_PROFILE_MEDIUM, JAIL_SCOPE_SYSTEM },
	[JAIL_ACT_SYSCTL_WRITE] = { "sysctl_write", JAIL_PROFILE_MEDIUM, JAIL_SCOPE_SYSTEM },
	[JAIL_ACT_NET_ADMIN] =	{ "net_admin",	JAIL_PROFILE_MEDIUM, JAIL_SCOPE_NETWORK },
	[JAIL_ACT_RAW_SOCKET] =	{ "raw_socket",	JAIL_PROFILE_MEDIUM, JAIL_SCOPE_NETWORK },
	[JAIL_ACT_ROUTE_SOCKET] = { "route_socket", JAIL_PROFILE_MEDIUM, JAIL_SCOPE_NETWORK },
	[JAIL_ACT_DEVICE] =	{ "device",	JAIL_PROFILE_MEDIUM, JAIL_SCOPE_SYSTEM },
	[JAIL_ACT_MACHDEP] =	{ "machdep",	JAIL_PROFILE_MEDIUM, JAIL_SCOPE_SYSTEM },
	[JAIL_ACT_SYSVIPC] =	{ "sysvipc",	JAIL_PROFILE_HIGH,   JAIL_SCOPE_SYSTEM },
};

static const char *const jail_profiles[] = { "low", "medium", "high" };
static const char *const jail_scopes[JAIL_SCOPE_COUNT] = {
	"process", "system", "network"
};

static int
jail_action_valid(enum jail_action act)
{

	return (unsigned)act < (unsigned)JAIL_ACT_COUNT;
}

const char *
jail_action_name(enum jail_action act)
{

	return jail_action_valid(act) ? jail_actions[act].name : "unknown";
}

enum jail_action
jail_action_by_name(const char *name)
{
	unsigned i;

	if (name == NULL)
		return JAIL_ACT_COUNT;
	for (i = 0; i < JAIL_ACT_COUNT; i++)
		if (strcmp(jail_actions[i].name, name) == 0)
			return (enum jail_action)i;
	return JAIL_ACT_COUNT;
}

const char *
jail_profile_name(uint32_t profile)
{

	return profile <= JAIL_PROFILE_HIGH ? jail_profiles[profile] : NULL;
}

const char *
jail_scope_name(uint32_t scope)
{

	return scope < JAIL_SCOPE_COUNT ? jail_scopes[scope] : "unknown";
}

uint32_t
jail_action_scope(enum jail_action act)
{

	/* An unknown action is treated as host administration. */
	return jail_action_valid(act) ? jail_actions[act].scope :
	    JAIL_SCOPE_SYSTEM;
}

int
jail_profile_denies(uint32_t profile, uint32_t deny, enum jail_action act)
{

	/* Fail closed on anything we cannot interpret. */
	if (!jail_action_valid(act) || profile > JAIL_PROFILE_HIGH ||
	    (deny & ~JAIL_DENY_VALID_MASK) != 0)
		return 1;
	if (deny & (1u << act))
		return 1;
	return profile >= jail_actions[act].min_profile;
}

static struct jail_decision
jail_defer(void)
{
	struct jail_decision d = { JAIL_DEFER, 0 };

	return d;
}

static struct jail_decision
jail_deny(uint32_t scope)
{
	struct jail_decision d = { JAIL_DENY, scope };

	return d;
}

struct jail_decision
jail_policy_action(const struct jail_subject *who, uint32_t profile,
    uint32_t deny, enum jail_action act)
{

	/* Profiles bind jailed credentials only; the host keeps its rules. */
	if (who->jail == JAIL_ID_HOST)
		return jail_defer();
	if (jail_profile_denies(profile, deny, act))
		return jail_deny(jail_action_scope(act));
	return jail_defer();
}

struct jail_decision
jail_policy_process(const struct jail_subject *who, jail_id_t target)
{

	if (who->host_root || who->jail == target)
		return jail_defer();
	return jail_deny(JAIL_SCOPE_PROCESS);
}

struct jail_decision
jail_policy_bind(const struct jail_subject *who, int af, uint16_t port,
    jail_id_t owner)
{

	if (af != JAIL_AF_INET && af != JAIL_AF_INET6)
		return jail_defer();
	/* Port 0 asks for an ephemeral port: never a reservation. */
	if (port == 0 || owner == JAIL_ID_HOST)
		return jail_defer();
	/* The owner and host root go on to the normal privilege checks. */
	if (owner == who->jail || who->host_root)
		return jail_defer();
	return jail_deny(JAIL_SCOPE_NETWORK);
}
