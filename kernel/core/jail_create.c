/*
 * jail_create.c -- validation of a raw create payload.
 *
 * This is the first thing the kernel does with bytes a user wrote, so it
 * checks every field and every byte it will keep: unknown flags, padding,
 * counts, a NUL within bounds, the character set.  The output is a
 * normalized request that the table can trust (tail bytes zeroed, profile
 * filled in), so that a stored entry never carries user garbage.
 */
#include "jail_kernlib.h"
#include "jail_policy.h"
#include "jail_table.h"

/* Length of a NUL-terminated field of `size` bytes, or -1 without a NUL. */
static int
jail_field_len(const char *s, size_t size)
{
	size_t i;

	for (i = 0; i < size; i++)
		if (s[i] == '\0')
			return (int)i;
	return -1;
}

static int
jail_name_char(unsigned char c)
{

	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/*
 * [A-Za-z0-9._-]{1,63}, but not "." or "..": a name ends up as a path
 * component in drivers (cgroup directories, state files), where those two
 * would mean something else.
 */
static int
jail_name_valid(const char *name, size_t size)
{
	int i, len;

	len = jail_field_len(name, size);
	if (len < 1 || len > JAIL_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!jail_name_char((unsigned char)name[i]))
			return 0;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;
	return 1;
}

/* Absolute, at most JAIL_ROOT_MAX bytes, no control bytes. */
static int
jail_root_valid(const char *root, size_t size)
{
	int i, len;

	len = jail_field_len(root, size);
	if (len < 1 || len > JAIL_ROOT_MAX || root[0] != '/')
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)root[i];

		if (c < 0x20 || c == 0x7f)
			return 0;
	}
	return 1;
}

static int
jail_ports_valid(const struct jail_create *r)
{
	unsigned i, j;

	if ((r->jc_flags & JAIL_CREATE_PORTS) == 0)
		return r->jc_nports == 0;
	if (r->jc_nports < 1 || r->jc_nports > JAIL_PORTS_MAX)
		return 0;
	for (i = 0; i < r->jc_nports; i++) {
		if (r->jc_ports[i] == 0)
			return 0;
		for (j = 0; j < i; j++)
			if (r->jc_ports[j] == r->jc_ports[i])
				return 0;
	}
	return 1;
}

/* A field that only means something with its flag must be 0 without it. */
static int
jail_flagged_zero(uint32_t flags, uint32_t flag, uint64_t value)
{

	return (flags & flag) != 0 || value == 0;
}

int
jail_create_validate(const void *payload, size_t len, struct jail_create *out)
{
	struct jail_create r;
	unsigned i;

	if (payload == NULL || len != sizeof(r))
		return EINVAL;
	memcpy(&r, payload, sizeof(r));

	if ((r.jc_flags & ~JAIL_CREATE_FLAGS_ALL) != 0 ||
	    r.jc_pad0 != 0 || r.jc_pad1 != 0)
		return EINVAL;
	if (!jail_ports_valid(&r))
		return EINVAL;
	if (r.jc_flags & JAIL_CREATE_PROFILE) {
		if (jail_profile_name(r.jc_profile) == NULL)
			return EINVAL;
	} else if (r.jc_profile != 0)
		return EINVAL;
	if (!jail_flagged_zero(r.jc_flags, JAIL_CREATE_RLIMIT_NOFILE,
	    r.jc_rlimit_nofile) ||
	    !jail_flagged_zero(r.jc_flags, JAIL_CREATE_RLIMIT_AS,
	    r.jc_rlimit_as) ||
	    !jail_flagged_zero(r.jc_flags, JAIL_CREATE_RLIMIT_CORE,
	    r.jc_rlimit_core) ||
	    !jail_flagged_zero(r.jc_flags, JAIL_CREATE_DENY, r.jc_deny))
		return EINVAL;
	if ((r.jc_deny & ~JAIL_DENY_VALID_MASK) != 0)
		return EINVAL;
	if (!jail_name_valid(r.jc_name, sizeof(r.jc_name)) ||
	    !jail_root_valid(r.jc_root, sizeof(r.jc_root)))
		return EINVAL;

	/* Normalize: the stored copy holds nothing the user did not mean. */
	memset(out, 0, sizeof(*out));
	out->jc_flags = r.jc_flags;
	out->jc_profile = (r.jc_flags & JAIL_CREATE_PROFILE) ?
	    r.jc_profile : JAIL_PROFILE_DEFAULT;
	out->jc_deny = r.jc_deny;
	out->jc_nports = r.jc_nports;
	for (i = 0; i < r.jc_nports; i++)
		out->jc_ports[i] = r.jc_ports[i];
	out->jc_rlimit_nofile = r.jc_rlimit_nofile;
	out->jc_rlimit_as = r.jc_rlimit_as;
	out->jc_rlimit_core = r.jc_rlimit_core;
	memcpy(out->jc_name, r.jc_name, strlen(r.jc_name));
	memcpy(out->jc_root, r.jc_root, strlen(r.jc_root));
	return 0;
}
