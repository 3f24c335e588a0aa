/*
 * A do-nothing swift_demangle, preloaded with libasan into the stock server
 * by test/asan/run.sh.  Test-only; never part of kam.
 *
 * Why: preloaded into Debian's PostgreSQL 15, the ASan runtime initialises
 * lazily, on the first malloc, which comes from libgpg-error's constructor
 * inside bindtextdomain() while glibc's _nl_state_lock is write-locked.  The
 * runtime's initialisation looks up "swift_demangle" with dlsym(); when the
 * lookup fails, dlerror() translates its message through dcgettext(), which
 * read-locks and unlocks the same lock, corrupting it, and the postmaster
 * then hangs in its own bindtextdomain() (docs/hardening.md).  With this
 * symbol present the lookup succeeds, dlerror() has nothing to translate,
 * and the lock is left alone.  Returning NULL tells the runtime "not a Swift
 * name", so its reports are symbolised as usual.
 */
#include <stddef.h>
#include <stdint.h>

extern char *swift_demangle(const char *mangled, size_t mangled_len,
							char *out, size_t *out_len, uint32_t flags);

char *
swift_demangle(const char *mangled, size_t mangled_len,
			   char *out, size_t *out_len, uint32_t flags)
{
	(void) mangled;
	(void) mangled_len;
	(void) out;
	(void) out_len;
	(void) flags;
	return NULL;
}
