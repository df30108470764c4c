/*
 * cleanup.h - temporary files and folders removed even when the process
 * dies of a signal: an engine failure (SimGrid's xbt_die and uncaught
 * exceptions abort), a crash, or an interrupt.  The platform XML and its
 * folder are registered while SimGrid loads them, an output's temporary
 * file until it is renamed into place or discarded.
 *
 * The handler removes what is registered (files first, then folders),
 * restores the signal's previous action (the default, or a sanitizer's)
 * and raises the signal again, so the process still dies of it.  Register
 * and forget from one thread; the handler is async-signal-safe.
 */
#ifndef VR_CLEANUP_H
#define VR_CLEANUP_H

/* Remove PATH (a file, or an empty folder if IS_DIR) should the process
 * die of a signal before vr_cleanup_forget(PATH).  -1 when the table is
 * full or PATH too long (nothing registered: the caller still works). */
int vr_cleanup_add(const char *path, int is_dir);

/* PATH is renamed or removed by the caller: leave it alone. */
void vr_cleanup_forget(const char *path);

#endif
