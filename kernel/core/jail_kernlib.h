/*
 * jail_kernlib.h -- the little of "libc" the core uses, from wherever the
 * environment provides it: libkern in the NetBSD kernel, the C library in
 * userland (the Linux driver and the tests).  Internal to kernel/core.
 */
#ifndef JAIL_KERNLIB_H
#define JAIL_KERNLIB_H

#if defined(_KERNEL)
#include <sys/param.h>
#include <sys/errno.h>
#include <sys/systm.h>		/* memcpy, memset, strcmp, strlen */
#else
#include <errno.h>
#include <string.h>
#endif

#endif /* JAIL_KERNLIB_H */
