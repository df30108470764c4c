/*
 * cleanup.c - a small table of paths and the signal handler that removes
 * them.  A slot is filled before it is marked in use, and marked free
 * before it is reused, so the handler never reads a half-written path.
 */
#include "input/cleanup.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum {
	CLEANUP_SLOTS = 8,          /* a platform file, its folder, an output or two: room to spare */
	CLEANUP_PATH_MAX = 4096 + 16,   /* as vr_outfile's temp path */
};

typedef struct cleanup_slot {
	volatile sig_atomic_t in_use;
	int is_dir;
	char path[CLEANUP_PATH_MAX];
} cleanup_slot;

static cleanup_slot slots[CLEANUP_SLOTS];

/* The signals a run can die of: aborts (xbt_die, std::terminate), faults,
 * and the ones a user or a batch system sends. */
static const int FATAL_SIGNALS[] = {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGINT, SIGTERM, SIGHUP};
enum { FATAL_SIGNAL_COUNT = sizeof FATAL_SIGNALS / sizeof FATAL_SIGNALS[0] };
static struct sigaction previous[FATAL_SIGNAL_COUNT];
static int installed;

static void remove_registered(int dirs)
{
	for (int i = 0; i < CLEANUP_SLOTS; i++)
		if (slots[i].in_use && slots[i].is_dir == dirs) {
			if (dirs)
				rmdir(slots[i].path);
			else
				unlink(slots[i].path);
			slots[i].in_use = 0;
		}
}

static void on_fatal_signal(int sig, siginfo_t *info, void *context)
{
	(void)context;
	remove_registered(0);
	remove_registered(1);
	for (int k = 0; k < FATAL_SIGNAL_COUNT; k++)
		if (FATAL_SIGNALS[k] == sig)
			sigaction(sig, &previous[k], NULL);
	/* A fault the kernel raised recurs when its instruction runs again,
	 * now for the previous action (a sanitizer reports it as it would
	 * have).  A signal that was sent (abort(), kill) is sent again: it
	 * is blocked while we run and delivered on return. */
	if (info->si_code <= 0)
		raise(sig);
}

/* A signal the process ignores (SIGHUP under nohup) kills nothing: left
 * alone, or the handler would remove files from a run that goes on. */
static void install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fatal_signal;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	for (int k = 0; k < FATAL_SIGNAL_COUNT; k++)
		if (sigaction(FATAL_SIGNALS[k], NULL, &previous[k]) == 0 && previous[k].sa_handler != SIG_IGN)
			sigaction(FATAL_SIGNALS[k], &sa, NULL);
	installed = 1;
}

int vr_cleanup_add(const char *path, int is_dir)
{
	if (strlen(path) >= CLEANUP_PATH_MAX)
		return -1;
	if (!installed)
		install();
	for (int i = 0; i < CLEANUP_SLOTS; i++)
		if (!slots[i].in_use) {
			memcpy(slots[i].path, path, strlen(path) + 1);
			slots[i].is_dir = is_dir;
			slots[i].in_use = 1;
			return 0;
		}
	return -1;
}

void vr_cleanup_forget(const char *path)
{
	for (int i = 0; i < CLEANUP_SLOTS; i++)
		if (slots[i].in_use && strcmp(slots[i].path, path) == 0)
			slots[i].in_use = 0;
}
