/*
 * cleanup.h - temporary files and folders removed, and helper processes
 * stopped, even when the process dies of a signal: an engine failure
 * (SimGrid's xbt_die and uncaught exceptions abort), a crash, or an
 * interrupt (SIGINT, SIGTERM, SIGHUP).  The platform XML and its folder are
 * registered while SimGrid loads them, an output's temporary file until it
 * is renamed into place or discarded, the plot's working folder and its
 * gnuplot while they draw.
 *
 * The handler stops the registered children (SIGTERM, then waits for
 * them), removes what is registered (files, then trees, then folders),
 * restores the action the signal had before (the default, or a
 * sanitizer's) and raises the signal again, so the process still dies of
 * it.  Register and forget from one thread; the handler is
 * async-signal-safe.
 */
#ifndef VR_CLEANUP_H
#define VR_CLEANUP_H

#include <sys/types.h>

/* Children watched at once: gnuplot, or a sweep's workers (-j). */
enum { VR_CLEANUP_CHILDREN = 64 };

typedef enum vr_cleanup_kind {
	VR_CLEANUP_FILE = 0,
	VR_CLEANUP_DIR = 1,     /* a folder the caller empties itself */
	VR_CLEANUP_TREE = 2,    /* a folder with files and folders of files (two levels) */
} vr_cleanup_kind;

/* Remove PATH should the process die of a signal before
 * vr_cleanup_forget(PATH).  -1 when the table is full or PATH too long
 * (nothing registered: the caller still works). */
int vr_cleanup_add(const char *path, vr_cleanup_kind kind);

/* PATH is renamed or removed by the caller: leave it alone. */
void vr_cleanup_forget(const char *path);

/* Stop PID (a child) should the process die of a signal before
 * vr_cleanup_forget_child(PID).  Block the signals around fork() and this
 * call (vr_cleanup_block) so that no signal falls between them. */
int vr_cleanup_add_child(pid_t pid);   /* at most VR_CLEANUP_CHILDREN at once */
void vr_cleanup_forget_child(pid_t pid);

/* In a child just forked: forget the parent's children (siblings are not
 * ours to stop) and the parent's paths (its own to remove). */
void vr_cleanup_forget_all(void);

/* Hold the signals the handler catches (BLOCK 1) or let them in again
 * (BLOCK 0); a child unblocks before exec. */
void vr_cleanup_block(int block);

/* Catch the signals now: at the first call, remember each signal's action
 * as the one to end with; later calls take the signals back from a library
 * that installed its own handlers since (simgrid_init catches SIGINT to
 * print its actors and exit, which would skip the cleanup). */
void vr_cleanup_catch_signals(void);

#endif
