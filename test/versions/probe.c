/*
 * A deliberate write one byte past a palloc chunk, loaded by
 * test/versions/run.sh after the suite: each assert-enabled server's
 * memory-context checking must report it, or the run proves nothing.
 * Test-only; never part of kam.
 */
#include "postgres.h"
#include "fmgr.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(cassert_probe);

Datum
cassert_probe(PG_FUNCTION_ARGS)
{
	int32		n = PG_GETARG_INT32(0);
	volatile char *buf = palloc(10);	/* a 16-byte chunk: room for the sentinel */

	buf[n] = 1;					/* n = 10 writes one past the requested size */
	pfree((void *) buf);
	PG_RETURN_INT32(n);
}
