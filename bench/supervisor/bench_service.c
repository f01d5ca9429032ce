/* bench_service -- the supervised program of the restart benchmark.  On
 * start it writes its host pid (as seen through /proc/self, so that it is
 * right inside a PID namespace too) and a newline to the FIFO named by
 * $BENCH_FIFO, then sleeps until killed. */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(void)
{
	const char *fifo = getenv("BENCH_FIFO");
	char pid[32];
	ssize_t n;
	int fd;

	if (fifo == NULL)
		return 2;
	n = readlink("/proc/self", pid, sizeof pid - 1);
	if (n <= 0)
		return 3;
	pid[n++] = '\n';
	fd = open(fifo, O_WRONLY);
	if (fd < 0 || write(fd, pid, (size_t)n) != n)
		return 4;
	close(fd);
	for (;;)
		pause();
}
