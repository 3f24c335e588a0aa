/*
 * A deliberate heap overflow, loaded by test/asan/run.sh after the suite to
 * show the sanitizer pipeline reports what it should (a check that cannot
 * fail proves nothing).  Test-only; never part of kam.
 */
#include "postgres.h"
#include "fmgr.h"

#include <stdlib.h>

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(asan_probe);

Datum
asan_probe(PG_FUNCTION_ARGS)
{
	int32		n = PG_GETARG_INT32(0);
	volatile char *buf = malloc(8);
	int32		result;

	buf[n] = 1;					/* n = 8 writes one past the end */
	result = buf[0];
	free((void *) buf);
	PG_RETURN_INT32(result);
}
