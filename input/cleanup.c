/*
 * cleanup.c - a small table of paths and children, and the signal handler
 * that removes and stops them.  A slot is filled before it is marked in
 * use, and marked free before it is reused, so the handler never reads a
 * half-written path.  The handler uses system calls only: kill, waitpid,
 * unlink, rmdir and, for trees, open, getdents64 and unlinkat.
 */
#include "input/cleanup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

enum {
	CLEANUP_SLOTS = 8,          /* a platform file, its folder, an output or two, a plot folder */
	CLEANUP_PATH_MAX = 4096 + 16,   /* as vr_outfile's temp path */
	CLEANUP_CHILDREN = VR_CLEANUP_CHILDREN,   /* gnuplot, or a sweep's workers */
	TREE_DEPTH_MAX = 2,         /* the plot's folder and its data/ */
	TREE_PASSES_MAX = 8,        /* a listing changes under its own removals: list again */
};

typedef struct cleanup_slot {
	volatile sig_atomic_t in_use;
	vr_cleanup_kind kind;
	char path[CLEANUP_PATH_MAX];
} cleanup_slot;

static cleanup_slot slots[CLEANUP_SLOTS];
static volatile pid_t children[CLEANUP_CHILDREN];

/* The signals a run can die of: aborts (xbt_die, std::terminate), faults,
 * and the ones a user or a batch system sends. */
static const int FATAL_SIGNALS[] = {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGINT, SIGTERM, SIGHUP};
enum { FATAL_SIGNAL_COUNT = sizeof FATAL_SIGNALS / sizeof FATAL_SIGNALS[0] };
static struct sigaction previous[FATAL_SIGNAL_COUNT];
static int installed;

/* Empty the folder open as DIR_FD (its subfolders too, DEPTH levels
 * more), with system calls only. */
static void empty_folder(int dir_fd, int depth)
{
	char listing[4096] __attribute__((aligned(8)));
	for (int pass = 0; pass < TREE_PASSES_MAX; pass++) {
		int removed = 0;
		long n;
		while ((n = getdents64(dir_fd, listing, sizeof listing)) > 0)
			for (long at = 0; at < n;) {
				struct dirent64 *e = (struct dirent64 *)(listing + at);
				at += e->d_reclen;
				if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
					continue;
				if (unlinkat(dir_fd, e->d_name, 0) == 0) {
					removed = 1;
					continue;
				}
				int sub = depth > 0 ? openat(dir_fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW) : -1;
				if (sub >= 0) {
					empty_folder(sub, depth - 1);
					close(sub);
				}
				if (unlinkat(dir_fd, e->d_name, AT_REMOVEDIR) == 0)
					removed = 1;
			}
		if (!removed || lseek(dir_fd, 0, SEEK_SET) != 0)
			return;
	}
}

static void remove_path(const cleanup_slot *slot)
{
	if (slot->kind == VR_CLEANUP_FILE) {
		unlink(slot->path);
		return;
	}
	if (slot->kind == VR_CLEANUP_TREE) {
		int fd = open(slot->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
		if (fd >= 0) {
			empty_folder(fd, TREE_DEPTH_MAX - 1);
			close(fd);
		}
	}
	rmdir(slot->path);
}

/* Files first, then trees, then the folders that held them. */
static void remove_registered(void)
{
	static const vr_cleanup_kind order[] = {VR_CLEANUP_FILE, VR_CLEANUP_TREE, VR_CLEANUP_DIR};
	for (size_t k = 0; k < sizeof order / sizeof order[0]; k++)
		for (int i = 0; i < CLEANUP_SLOTS; i++)
			if (slots[i].in_use && slots[i].kind == order[k]) {
				remove_path(&slots[i]);
				slots[i].in_use = 0;
			}
}

/* A child still writing into a folder would refill it after its removal. */
static void stop_children(void)
{
	for (int i = 0; i < CLEANUP_CHILDREN; i++) {
		pid_t pid = children[i];
		if (pid > 0) {
			kill(pid, SIGTERM);
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
			children[i] = 0;
		}
	}
}

static void on_fatal_signal(int sig, siginfo_t *info, void *context)
{
	(void)context;
	int saved_errno = errno;
	stop_children();
	remove_registered();
	errno = saved_errno;
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
 * alone, or the handler would remove files from a run that goes on.  The
 * action to end with is the one found at the first call; later calls only
 * take back a signal someone else caught since. */
static void install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fatal_signal;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	/* one interrupt at a time: a SIGTERM during a SIGINT's cleanup waits */
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaddset(&sa.sa_mask, SIGHUP);
	for (int k = 0; k < FATAL_SIGNAL_COUNT; k++) {
		struct sigaction now;
		if (sigaction(FATAL_SIGNALS[k], NULL, &now) != 0)
			continue;
		if (!installed)
			previous[k] = now;
		if (previous[k].sa_handler != SIG_IGN)
			sigaction(FATAL_SIGNALS[k], &sa, NULL);
	}
	installed = 1;
}

void vr_cleanup_catch_signals(void)
{
	install();
}

void vr_cleanup_block(int block)
{
	sigset_t set;
	sigemptyset(&set);
	for (int k = 0; k < FATAL_SIGNAL_COUNT; k++)
		if (FATAL_SIGNALS[k] == SIGINT || FATAL_SIGNALS[k] == SIGTERM || FATAL_SIGNALS[k] == SIGHUP)
			sigaddset(&set, FATAL_SIGNALS[k]);
	sigprocmask(block ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

int vr_cleanup_add_child(pid_t pid)
{
	if (!installed)
		install();
	for (int i = 0; i < CLEANUP_CHILDREN; i++)
		if (children[i] == 0) {
			children[i] = pid;
			return 0;
		}
	return -1;
}

void vr_cleanup_forget_child(pid_t pid)
{
	for (int i = 0; i < CLEANUP_CHILDREN; i++)
		if (children[i] == pid)
			children[i] = 0;
}

void vr_cleanup_forget_all(void)
{
	for (int i = 0; i < CLEANUP_CHILDREN; i++)
		children[i] = 0;
	for (int i = 0; i < CLEANUP_SLOTS; i++)
		slots[i].in_use = 0;
}

int vr_cleanup_add(const char *path, vr_cleanup_kind kind)
{
	if (strlen(path) >= CLEANUP_PATH_MAX)
		return -1;
	if (!installed)
		install();
	for (int i = 0; i < CLEANUP_SLOTS; i++)
		if (!slots[i].in_use) {
			memcpy(slots[i].path, path, strlen(path) + 1);
			slots[i].kind = kind;
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
