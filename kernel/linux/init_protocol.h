/*
 * init_protocol.h -- what the jail's init program (jail_init_prog.c) and the
 * driver agree on.  Shared by C (the program) and C++ (the driver).
 *
 * The program is exec'd by the init process once the jail is set up, as
 *   argv = { "jailmgr-init", OWNER_PIDFD, REPORT_FD, NULL }, envp = { NULL }
 * and answers with one report on REPORT_FD (the layout of ChildReport in
 * child_report.hpp): stage 0 = ready, or stage JAIL_INIT_STAGE_PROGRAM with
 * the errno of what failed.
 */
#ifndef JAIL_INIT_PROTOCOL_H
#define JAIL_INIT_PROTOCOL_H

#include <stdint.h>

struct jail_init_report {
	int32_t	stage;
	int32_t	index;
	int32_t	err;
};

#define JAIL_INIT_STAGE_READY	0
#define JAIL_INIT_STAGE_PROGRAM	18	/* Stage::init_program */

#endif
