/*
 * t_secmodel_jail.c -- ATF tests of the secmodel_jail module on a real
 * NetBSD host (root, module loaded).  They exercise the sysctl interface
 * and the enforcement that only a kernel can show: entering, cross-jail
 * signals, reserved ports, profile denials, busy destroy.
 *
 * Every test names its jails "atf-<test>" and its cleanup destroys them
 * (after killing their members), so a failed test leaves nothing behind.
 * Build: make t_secmodel_jail (see Makefile); run: atf-run | atf-report.
 */
#include <sys/param.h>
#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/module.h>
#include <sys/msg.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysctl.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <atf-c.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jail_abi.h"

#define	ROOT_TEMPLATE	"/tmp/atf-jail.XXXXXX"

static void
require_module(void)
{
	char name[64];
	size_t len = sizeof(name);

	if (sysctlbyname(JAIL_SYSCTL_NAME, name, &len, NULL, 0) == -1)
		atf_tc_skip("secmodel_jail is not loaded (modload secmodel_jail)");
}

static void
fill(struct jail_create *c, const char *name, const char *root)
{

	memset(c, 0, sizeof(*c));
	strlcpy(c->jc_name, name, sizeof(c->jc_name));
	strlcpy(c->jc_root, root, sizeof(c->jc_root));
}

/* Create; returns the new ID, or 0 with errno set. */
static jail_id_t
jail_create(struct jail_create *c)
{
	size_t len = sizeof(*c);

	if (sysctlbyname(JAIL_SYSCTL_CREATE, c, &len, c, sizeof(*c)) == -1)
		return 0;
	return c->jc_id;
}

static jail_id_t
create_simple(const char *name, const char *root, uint32_t profile,
    uint16_t port)
{
	struct jail_create c;
	jail_id_t id;

	fill(&c, name, root);
	c.jc_flags = JAIL_CREATE_PROFILE;
	c.jc_profile = profile;
	if (port != 0) {
		c.jc_flags |= JAIL_CREATE_PORTS;
		c.jc_nports = 1;
		c.jc_ports[0] = port;
	}
	id = jail_create(&c);
	ATF_REQUIRE_MSG(id != 0, "create %s: %s", name, strerror(errno));
	return id;
}

static int
jail_destroy(jail_id_t id)
{

	return sysctlbyname(JAIL_SYSCTL_DESTROY, NULL, NULL, &id, sizeof(id));
}

/* The list, as a malloc'ed array; *np entries. */
static struct jail_info *
jail_list(size_t *np)
{
	struct jail_info *v = NULL;
	size_t len;
	int tries;

	for (tries = 0; tries < 8; tries++) {
		len = 0;
		ATF_REQUIRE(sysctlbyname(JAIL_SYSCTL_LIST, NULL, &len, NULL,
		    0) == 0);
		free(v);
		v = malloc(len + sizeof(*v));
		ATF_REQUIRE(v != NULL);
		if (sysctlbyname(JAIL_SYSCTL_LIST, v, &len, NULL, 0) == 0) {
			*np = len / sizeof(*v);
			return v;
		}
		ATF_REQUIRE_EQ(errno, ENOMEM);	/* grew meanwhile: again */
	}
	atf_tc_fail("list kept changing");
	return NULL;
}

static jail_id_t
find_id(const char *name)
{
	struct jail_info *v;
	size_t i, n;
	jail_id_t id = 0;

	v = jail_list(&n);
	for (i = 0; i < n; i++)
		if (strcmp(v[i].ji_name, name) == 0)
			id = v[i].ji_id;
	free(v);
	return id;
}

/* Cleanup: kill the members of every atf-* jail, then destroy it. */
static void
destroy_atf_jails(void)
{
	struct jail_info *v;
	struct jail_kill k;
	size_t i, n, len;
	int tries;

	v = jail_list(&n);
	for (i = 0; i < n; i++) {
		if (strncmp(v[i].ji_name, "atf-", 4) != 0)
			continue;
		for (tries = 0; tries < 100; tries++) {
			memset(&k, 0, sizeof(k));
			k.jk_id = v[i].ji_id;
			k.jk_signal = SIGKILL;
			len = sizeof(k);
			(void)sysctlbyname(JAIL_SYSCTL_KILL, &k, &len, &k,
			    sizeof(k));
			while (waitpid(-1, NULL, WNOHANG) > 0)
				continue;
			if (jail_destroy(v[i].ji_id) == 0 || errno != EBUSY)
				break;
			usleep(10000);
		}
	}
	free(v);
}

static char *
make_root(void)
{
	static char root[sizeof(ROOT_TEMPLATE)];

	strlcpy(root, ROOT_TEMPLATE, sizeof(root));
	ATF_REQUIRE(mkdtemp(root) != NULL);
	return root;
}

/*
 * Run `fn` in a child that chroots at `root` and enters jail `id`; the
 * child's exit status is what fn returns (0 = success).
 */
static int
in_jail(const char *root, jail_id_t id, int (*fn)(void *), void *arg)
{
	pid_t pid;
	int status;

	pid = fork();
	ATF_REQUIRE(pid != -1);
	if (pid == 0) {
		if (chdir(root) == -1 || chroot(".") == -1 || chdir("/") == -1)
			_exit(100);
		if (sysctlbyname(JAIL_SYSCTL_ID, NULL, NULL, &id,
		    sizeof(id)) == -1)
			_exit(101);
		_exit(fn(arg));
	}
	ATF_REQUIRE_EQ(waitpid(pid, &status, 0), pid);
	ATF_REQUIRE(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* A free TCP port, from the kernel's ephemeral range. */
static uint16_t
free_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int s;

	s = socket(AF_INET, SOCK_STREAM, 0);
	ATF_REQUIRE(s != -1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_len = sizeof(sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ATF_REQUIRE(bind(s, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	ATF_REQUIRE(getsockname(s, (struct sockaddr *)&sin, &len) == 0);
	close(s);
	return ntohs(sin.sin_port);
}

/* Bind TCP `port` on v4 loopback or v6 wildcard; errno on failure. */
static int
try_bind(int af, uint16_t port)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	int s, r, one = 1;

	s = socket(af, SOCK_STREAM, 0);
	if (s == -1)
		return errno;
	(void)setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (af == AF_INET) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_len = sizeof(sin);
		sin.sin_family = AF_INET;
		sin.sin_port = htons(port);
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		r = bind(s, (struct sockaddr *)&sin, sizeof(sin));
	} else {
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_len = sizeof(sin6);
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons(port);
		sin6.sin6_addr = in6addr_any;
		r = bind(s, (struct sockaddr *)&sin6, sizeof(sin6));
	}
	r = r == -1 ? errno : 0;
	close(s);
	return r;
}

ATF_TC(name_node);
ATF_TC_HEAD(name_node, tc)
{
	atf_tc_set_md_var(tc, "descr", "security.models.jail.name names the model");
}
ATF_TC_BODY(name_node, tc)
{
	char name[64];
	size_t len = sizeof(name);

	require_module();
	ATF_REQUIRE(sysctlbyname(JAIL_SYSCTL_NAME, name, &len, NULL, 0) == 0);
	ATF_REQUIRE_STREQ(name, SECMODEL_JAIL_NAME);
}

ATF_TC_WITH_CLEANUP(create_list_destroy);
ATF_TC_HEAD(create_list_destroy, tc)
{
	atf_tc_set_md_var(tc, "descr", "a created jail is listed until destroyed");
	atf_tc_set_md_var(tc, "require.user", "root");
}
ATF_TC_BODY(create_list_destroy, tc)
{
	struct jail_stats st;
	size_t len = sizeof(st);
	const char *root;
	jail_id_t id;

	require_module();
	root = make_root();
	id = create_simple("atf-cld", root, JAIL_PROFILE_MEDIUM, 0);
	ATF_REQUIRE_EQ(find_id("atf-cld"), id);
	ATF_REQUIRE(sysctlbyname(JAIL_SYSCTL_STATS, &st, &len, NULL, 0) == 0);
	ATF_REQUIRE_EQ(st.js_abi_version, JAIL_ABI_VERSION);
	ATF_REQUIRE(st.js_jails >= 1);
	ATF_REQUIRE(jail_destroy(id) == 0);
	ATF_REQUIRE_EQ(find_id("atf-cld"), 0);
	ATF_REQUIRE_ERRNO(ENOENT, jail_destroy(id) == -1);
	/* IDs are never reused. */
	ATF_REQUIRE(create_simple("atf-cld", root, JAIL_PROFILE_HIGH, 0) > id);
}
ATF_TC_CLEANUP(create_list_destroy, tc)
{
	destroy_atf_jails();
}

ATF_TC_WITH_CLEANUP(create_errors);
ATF_TC_HEAD(create_errors, tc)
{
	atf_tc_set_md_var(tc, "descr", "invalid creates fail with the documented errno");
	atf_tc_set_md_var(tc, "require.user", "root");
}
ATF_TC_BODY(create_errors, tc)
{
	struct jail_create c;
	char file[PATH_MAX];
	const char *root;
	uint16_t port;
	size_t len;
	int fd;

	require_module();
	root = make_root();
	port = free_port();
	(void)create_simple("atf-ce", root, JAIL_PROFILE_HIGH, port);

	fill(&c, "atf-ce2", root);
	len = sizeof(c);
	ATF_REQUIRE_ERRNO(EINVAL, sysctlbyname(JAIL_SYSCTL_CREATE, &c, &len,
	    &c, sizeof(c) - 1) == -1);
	len = sizeof(c) - 1;
	ATF_REQUIRE_ERRNO(ENOMEM, sysctlbyname(JAIL_SYSCTL_CREATE, &c, &len,
	    &c, sizeof(c)) == -1);
	ATF_REQUIRE_EQ(find_id("atf-ce2"), 0);

	fill(&c, "atf ce", root);
	ATF_REQUIRE_ERRNO(EINVAL, jail_create(&c) == 0);
	fill(&c, "atf-ce2", "relative/root");
	ATF_REQUIRE_ERRNO(EINVAL, jail_create(&c) == 0);
	fill(&c, "atf-ce2", root);
	c.jc_flags = 0x80000000u;
	ATF_REQUIRE_ERRNO(EINVAL, jail_create(&c) == 0);
	fill(&c, "atf-ce", root);
	ATF_REQUIRE_ERRNO(EEXIST, jail_create(&c) == 0);
	fill(&c, "atf-ce2", root);
	c.jc_flags = JAIL_CREATE_PORTS;
	c.jc_nports = 1;
	c.jc_ports[0] = port;
	ATF_REQUIRE_ERRNO(EEXIST, jail_create(&c) == 0);
	fill(&c, "atf-ce2", "/nonexistent/atf/root");
	ATF_REQUIRE_ERRNO(ENOENT, jail_create(&c) == 0);
	snprintf(file, sizeof(file), "%s/file", root);
	fd = open(file, O_CREAT | O_WRONLY, 0600);
	ATF_REQUIRE(fd != -1);
	close(fd);
	fill(&c, "atf-ce2", file);
	ATF_REQUIRE_ERRNO(ENOTDIR, jail_create(&c) == 0);
	unlink(file);
	ATF_REQUIRE_EQ(find_id("atf-ce2"), 0);
}
ATF_TC_CLEANUP(create_errors, tc)
{
	destroy_atf_jails();
}

static int
report_own_id(void *arg)
{
	jail_id_t own = 0, host = JAIL_ID_HOST;
	size_t len = sizeof(own);

	if (sysctlbyname(JAIL_SYSCTL_ID, &own, &len, NULL, 0) == -1)
		return 10;
	if (own != *(jail_id_t *)arg)
		return 11;
	/* Once inside, even root cannot leave. */
	if (sysctlbyname(JAIL_SYSCTL_ID, NULL, NULL, &host,
	    sizeof(host)) != -1 || errno != EPERM)
		return 12;
	/* Nor see the list. */
	len = 0;
	if (sysctlbyname(JAIL_SYSCTL_LIST, NULL, &len, NULL, 0) != -1 ||
	    errno != EPERM)
		return 13;
	return 0;
}

ATF_TC_WITH_CLEANUP(enter);
ATF_TC_HEAD(enter, tc)
{
	atf_tc_set_md_var(tc, "descr", "entering needs host root and a chroot at the jail's root; nobody leaves");
	atf_tc_set_md_var(tc, "require.user", "root");
}
ATF_TC_BODY(enter, tc)
{
	const char *root;
	jail_id_t id, missing = JAIL_ID_MAX - 1;

	require_module();
	root = make_root();
	id = create_simple("atf-enter", root, JAIL_PROFILE_HIGH, 0);
	/* Not chrooted at the jail's root: refused. */
	ATF_REQUIRE_ERRNO(EPERM, sysctlbyname(JAIL_SYSCTL_ID, NULL, NULL, &id,
	    sizeof(id)) == -1);
	ATF_REQUIRE_ERRNO(ENOENT, sysctlbyname(JAIL_SYSCTL_ID, NULL, NULL,
	    &missing, sizeof(missing)) == -1);
	ATF_REQUIRE_EQ(in_jail(root, id, report_own_id, &id), 0);
}
ATF_TC_CLEANUP(enter, tc)
{
	destroy_atf_jails();
}

static int
signal_parent(void *arg)
{

	/* The parent is a host process: another jail. */
	if (kill(getppid(), 0) != -1 || errno != EPERM)
		return 20;
	return 0;
}

ATF_TC_WITH_CLEANUP(cross_jail_signal);
ATF_TC_HEAD(cross_jail_signal, tc)
{
	atf_tc_set_md_var(tc, "descr", "a jailed process cannot signal a process outside its jail");
	atf_tc_set_md_var(tc, "require.user", "root");
}
ATF_TC_BODY(cross_jail_signal, tc)
{
	const char *root;
	jail_id_t id;

	require_module();
	root = make_root();
	id = create_simple("atf-sig", root, JAIL_PROFILE_LOW, 0);
	ATF_REQUIRE_EQ(in_jail(root, id, signal_parent, NULL), 0);
}
ATF_TC_CLEANUP(cross_jail_signal, tc)
{
	destroy_atf_jails();
}

static int
bind_reserved(void *arg)
{
	uint16_t port = *(uint16_t *)arg;

	if (try_bind(AF_INET, port) != EACCES)
		return 30;
	if (try_bind(AF_INET6, port) != EACCES)
		return 31;
	return 0;
}

static int
bind_own(void *arg)
{
	uint16_t port = *(uint16_t *)arg;

	return try_bind(AF_INET, port) == 0 && try_bind(AF_INET6, port) == 0 ?
	    0 : 32;
}

ATF_TC_WITH_CLEANUP(reserved_port);
ATF_TC_HEAD(reserved_port, tc)
{
	atf_tc_set_md_var(tc, "descr", "a port reserved by one jail cannot be bound by another; its owner and host root can");
	atf_tc_set_md_var(tc, "require.user", "root");
}
ATF_TC_BODY(reserved_port, tc)
{
	const char *root;
	jail_id_t web, db;
	uint16_t port;

	require_module();
	root = make_root();
	port = free_port();
	web = create_simple("atf-web", root, JAIL_PROFILE_HIGH, port);
	db = create_simple("atf-db", root, JAIL_PROFILE_HIGH, 0);
	ATF_REQUIRE_EQ(in_jail(root, db, bind_reserved, &port), 0);
	ATF_REQUIRE_EQ(in_jail(root, web, bind_own, &port), 0);
	ATF_REQUIRE_EQ(try_bind(AF_INET, port), 0);	/* host root: exempt */
}
ATF_TC_CLEANUP(reserved_port, tc)
{
	destroy_atf_jails();
}

static int
do_mknod(void *arg)
{
	int r = mknod("/atf-node", S_IFCHR | 0600, makedev(2, 2));

	(void)unlink("/atf-node");
	if (*(int *)arg)
		return r == -1 && errno == EPERM ? 0 : 40;
	return r == 0 ? 0 : 41;
}

struct ipc_probe {
	int	queue;		/* a host queue, mode 0666 */
	int	denied;		/* expected outcome */
};

/*
 * SysV IPC is host-wide: at medium a jailed process reaches a host queue
 * that its permissions allow; at high every access check is denied.
 */
static int
do_sysvipc(void *arg)
{
	struct ipc_probe *probe = arg;
	struct {
		long	mtype;
		char	mtext[1];
	} m = { 1, { 'x' } };
	int r;

	r = msgsnd(probe->queue, &m, sizeof(m.mtext), IPC_NOWAIT);
	if (probe->denied)
		return r == -1 && errno == EACCES ? 0 : 50;
	return r == 0 ? 0 : 51;
}

ATF_TC_WITH_CLEANUP(profiles);
ATF_TC_HEAD(profiles, tc)
{
	atf_tc_set_md_var(tc, "descr", "low allows mknod, medium denies it, only high denies SysV IPC");
	atf_tc_set_md_var(tc, "require.user", "root");
}
ATF_TC_BODY(profiles, tc)
{
	const char *root;
	struct ipc_probe probe;
	jail_id_t low, medium, high;
	int yes = 1, no = 0;

	require_module();
	root = make_root();
	low = create_simple("atf-low", root, JAIL_PROFILE_LOW, 0);
	medium = create_simple("atf-medium", root, JAIL_PROFILE_MEDIUM, 0);
	high = create_simple("atf-high", root, JAIL_PROFILE_HIGH, 0);
	ATF_CHECK_EQ(in_jail(root, low, do_mknod, &no), 0);
	ATF_CHECK_EQ(in_jail(root, medium, do_mknod, &yes), 0);
	probe.queue = msgget(IPC_PRIVATE, IPC_CREAT | 0666);
	ATF_REQUIRE(probe.queue != -1);
	probe.denied = 0;
	ATF_CHECK_EQ(in_jail(root, medium, do_sysvipc, &probe), 0);
	probe.denied = 1;
	ATF_CHECK_EQ(in_jail(root, high, do_sysvipc, &probe), 0);
	ATF_REQUIRE(msgctl(probe.queue, IPC_RMID, NULL) == 0);
}
ATF_TC_CLEANUP(profiles, tc)
{
	destroy_atf_jails();
}

static int
wait_for_parent(void *arg)
{
	int *fds = arg;
	char c;

	close(fds[1]);
	(void)read(fds[0], &c, 1);	/* EOF when the parent is done */
	return 0;
}

ATF_TC_WITH_CLEANUP(destroy_busy_and_kill);
ATF_TC_HEAD(destroy_busy_and_kill, tc)
{
	atf_tc_set_md_var(tc, "descr", "destroy is EBUSY while members remain; kill counts and signals them");
	atf_tc_set_md_var(tc, "require.user", "root");
}
ATF_TC_BODY(destroy_busy_and_kill, tc)
{
	struct jail_kill k;
	const char *root;
	jail_id_t id;
	pid_t pid;
	size_t len;
	int fds[2], status;

	require_module();
	root = make_root();
	id = create_simple("atf-busy", root, JAIL_PROFILE_HIGH, 0);
	ATF_REQUIRE(pipe(fds) == 0);
	pid = fork();
	ATF_REQUIRE(pid != -1);
	if (pid == 0) {
		if (chdir(root) == -1 || chroot(".") == -1 ||
		    sysctlbyname(JAIL_SYSCTL_ID, NULL, NULL, &id,
		    sizeof(id)) == -1)
			_exit(1);
		_exit(wait_for_parent(fds));
	}
	close(fds[0]);

	/* Wait until the child is in: kill with signal 0 counts members. */
	for (;;) {
		memset(&k, 0, sizeof(k));
		k.jk_id = id;
		len = sizeof(k);
		ATF_REQUIRE(sysctlbyname(JAIL_SYSCTL_KILL, &k, &len, &k,
		    sizeof(k)) == 0);
		if (k.jk_live == 1)
			break;
		ATF_REQUIRE(waitpid(pid, &status, WNOHANG) == 0);
		usleep(1000);
	}
	ATF_REQUIRE_ERRNO(EBUSY, jail_destroy(id) == -1);

	k.jk_signal = SIGKILL;
	len = sizeof(k);
	ATF_REQUIRE(sysctlbyname(JAIL_SYSCTL_KILL, &k, &len, &k,
	    sizeof(k)) == 0);
	ATF_REQUIRE_EQ(k.jk_live, 1);
	/* A zombie is still a member. */
	ATF_REQUIRE_ERRNO(EBUSY, jail_destroy(id) == -1);
	ATF_REQUIRE_EQ(waitpid(pid, &status, 0), pid);
	ATF_REQUIRE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	ATF_REQUIRE(jail_destroy(id) == 0);
	close(fds[1]);
}
ATF_TC_CLEANUP(destroy_busy_and_kill, tc)
{
	destroy_atf_jails();
}

ATF_TC_WITH_CLEANUP(unload_busy);
ATF_TC_HEAD(unload_busy, tc)
{
	atf_tc_set_md_var(tc, "descr", "the module refuses to unload while a jail exists");
	atf_tc_set_md_var(tc, "require.user", "root");
}
ATF_TC_BODY(unload_busy, tc)
{
	const char *root;

	require_module();
	root = make_root();
	(void)create_simple("atf-unload", root, JAIL_PROFILE_HIGH, 0);
	ATF_REQUIRE_ERRNO(EBUSY,
	    modctl(MODCTL_UNLOAD, __UNCONST("secmodel_jail")) == -1);
	require_module();	/* still there */
}
ATF_TC_CLEANUP(unload_busy, tc)
{
	destroy_atf_jails();
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, name_node);
	ATF_TP_ADD_TC(tp, create_list_destroy);
	ATF_TP_ADD_TC(tp, create_errors);
	ATF_TP_ADD_TC(tp, enter);
	ATF_TP_ADD_TC(tp, cross_jail_signal);
	ATF_TP_ADD_TC(tp, reserved_port);
	ATF_TP_ADD_TC(tp, profiles);
	ATF_TP_ADD_TC(tp, destroy_busy_and_kill);
	ATF_TP_ADD_TC(tp, unload_busy);
	return atf_no_error();
}
