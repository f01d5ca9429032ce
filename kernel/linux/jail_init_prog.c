/*
 * jail_init_prog.c -- PID 1 of a running jail, once the jail is set up.
 *
 * The init process builds the jail (jail_init.cpp) as a copy of whatever
 * program started the jail -- a supervisor, jailctl, a test -- and then
 * execs this small program, so that PID 1 holds almost no memory: the OOM
 * killer picks victims by resident size, and a big PID 1 would be chosen
 * first and take every process of the jail with it.  It is embedded in the
 * driver (jail_init_blob.cpp) and exec'd from a sealed memfd, so nothing
 * needs to be installed, and it is freestanding (no C library: a few KiB,
 * nothing to initialise) because it is exec'd at every jail start.
 *
 * It reaps orphans until its owner exits (poll on the owner's pidfd), then
 * exits, which ends the PID namespace.  Everything else (namespaces, root,
 * capabilities, seccomp, Landlock) was applied before the exec and stays.
 *
 * x86-64 only (the raw system call convention below).
 */
#include <asm/unistd.h>
#include <linux/prctl.h>
#include <linux/signal.h>

#include "init_protocol.h"

#if !defined(__x86_64__)
#error "jail_init_prog.c: add the system call convention of this architecture"
#endif

#define SIGCHLD_BIT	(1UL << (17 - 1))
#define SFD_CLOEXEC	02000000
#define SFD_NONBLOCK	04000
#define POLLIN_EV	0x001
#define WNOHANG_OPT	1

struct pfd {
	int	fd;
	short	events;
	short	revents;
};

static long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;

	__asm__ volatile ("syscall"
	    : "=a"(ret)
	    : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
	    : "rcx", "r11", "memory");
	return ret;
}

#define sys3(n, a, b, c) sys6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)

static __attribute__((noreturn)) void die(int code)
{
	for (;;)
		sys3(__NR_exit_group, code, 0, 0);
}

static int number(const char *s)
{
	int v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (*s++ - '0');
	return v;
}

static void report(int fd, int stage, int err)
{
	struct jail_init_report r = {stage, 0, err};

	sys3(__NR_write, fd, &r, sizeof(r));
}

__attribute__((noreturn, used)) void init_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	unsigned long chld_mask = SIGCHLD_BIT;
	int owner, rep, chld;

	/* First: no jailed process may ptrace or inspect us. */
	sys6(__NR_prctl, PR_SET_DUMPABLE, 0, 0, 0, 0, 0);
	if (argc != 3)
		die(2);
	owner = number(argv[1]);
	rep = number(argv[2]);

	sys6(__NR_rt_sigprocmask, 0 /* SIG_BLOCK */, (long)&chld_mask, 0, 8, 0, 0);
	chld = (int)sys6(__NR_signalfd4, -1, (long)&chld_mask, 8, SFD_NONBLOCK | SFD_CLOEXEC, 0, 0);
	if (chld < 0) {
		report(rep, JAIL_INIT_STAGE_PROGRAM, (int)-chld);
		die(1);
	}
	report(rep, JAIL_INIT_STAGE_READY, 0);
	sys3(__NR_close, rep, 0, 0);

	for (;;) {
		struct pfd fds[2] = {{owner, POLLIN_EV, 0}, {chld, POLLIN_EV, 0}};
		char buf[128];

		while (sys6(__NR_wait4, -1, 0, WNOHANG_OPT, 0, 0, 0) > 0)
			;
		if (sys3(__NR_poll, fds, 2, -1) < 0)
			continue;
		if (fds[0].revents)
			die(0);	/* the owner is gone: so is the jail */
		while (sys3(__NR_read, chld, buf, sizeof(buf)) > 0)
			;
	}
}

__asm__(
    ".text\n"
    ".global _start\n"
    "_start:\n"
    "	xor %rbp, %rbp\n"
    "	mov %rsp, %rdi\n"
    "	and $-16, %rsp\n"
    "	call init_main\n"
    "	hlt\n");
