/*-------------------------------------------------------------------------
 *
 * aggstate.c
 *	  The aggregate-state toolkit (aggstate.h): context check, growable
 *	  arrays in the aggregate's context, the versioned state serializer.
 *
 *-------------------------------------------------------------------------
 */
#include "kam.h"

#include "libpq/pqformat.h"
#include "port/pg_bitutils.h"
#include "port/pg_bswap.h"
#include "miscadmin.h"
#include "catalog/pg_type.h"
#include "nodes/execnodes.h"
#include "utils/array.h"
#include "utils/memutils.h"

#ifdef __linux__
#include <sys/mman.h>
#include <unistd.h>
#endif

MemoryContext
kam_agg_context(FunctionCallInfo fcinfo, const char *fn)
{
	MemoryContext aggctx;

	if (!AggCheckCallContext(fcinfo, &aggctx))
		elog(ERROR, "%s called in non-aggregate context", fn);
	return aggctx;
}

bool
kam_combine_second_spent(FunctionCallInfo fcinfo)
{
	return fcinfo->context != NULL && IsA(fcinfo->context, AggState) &&
		DO_AGGSPLIT_DESERIALIZE(((AggState *) fcinfo->context)->aggsplit);
}

/*
 * The state of a fixed-size by-reference aggregate state type (argument 0):
 * zeroed on the first row, updated in place inside an aggregate, copied
 * when the transition function is called directly.
 */
void *
kam_fixed_state(FunctionCallInfo fcinfo, Size size)
{
	if (PG_ARGISNULL(0))
		return palloc0(size);
	if (AggCheckCallContext(fcinfo, NULL))
		return PG_GETARG_POINTER(0);
	return memcpy(palloc(size), PG_GETARG_POINTER(0), size);
}

/*
 * The state of an aggregate whose state type is double precision[] of n
 * elements (exact text I/O, so Citus pushes it down): a zeroed array on the
 * first row, argument 0 updated in place inside an aggregate, copied when
 * the transition or combine function is called directly.  An array of
 * another shape (a state made by hand) is error 22023.
 */
ArrayType *
kam_float8_state(FunctionCallInfo fcinfo, int argno, int n, const char *what)
{
	ArrayType  *a;

	if (PG_ARGISNULL(argno))
	{
		Datum	   *zeros = palloc0(sizeof(Datum) * n);

		for (int i = 0; i < n; i++)
			zeros[i] = Float8GetDatum(0.0);
		return construct_array(zeros, n, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
	}
	a = PG_GETARG_ARRAYTYPE_P(argno);
	if (ARR_NDIM(a) != 1 || ARR_DIMS(a)[0] != n || ARR_HASNULL(a) || ARR_ELEMTYPE(a) != FLOAT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a state of %s is an array of %d numbers without NULLs", what, n)));
	if (argno == 0 && AggCheckCallContext(fcinfo, NULL))
		return a;
	return PG_GETARG_ARRAYTYPE_P_COPY(argno);
}

/* ---------- growable arrays ---------- */

/*
 * An array of this many bytes or more is asked to be backed by transparent
 * huge pages: the kernel then faults it in, and the TLB maps it, 2 MB at a
 * time instead of 4 kB (a per-account history of 10M points is 160 MB: 40 000
 * page faults otherwise).  Smaller ones are left as the allocator gives them.
 * One huge page: the arrays of a few MB (a worker's 700 000 keys, their
 * order, its packed points) fault in small pages otherwise, on a new
 * process each time; at most the huge page an array ends in is faulted in
 * beyond what it uses.
 */
#define KAM_HUGE_ARRAY ((Size) 2 * 1024 * 1024)
#define KAM_HUGE_PAGE ((uintptr_t) 2 * 1024 * 1024) /* a transparent huge page
													 * (x86-64, arm64 with 4
													 * kB pages) */

/*
 * Advise the pages of an array of size bytes at p as huge pages (Linux:
 * madvise(MADV_HUGEPAGE), which transparent huge pages in "madvise" mode,
 * Debian's default, honour, and "never" ignores).  Only a hint: the memory is
 * the same either way.  A chunk this large is a block of its own, which glibc
 * usually maps for it alone, from the page p is in to the page its end is in:
 * advised whole, the mapping stays one (no split off the advised part), so
 * repalloc grows it in place or moves it whole (mremap), advised still.
 */
static void
array_advise(char *p, Size size)
{
#ifdef MADV_HUGEPAGE
	static uintptr_t page = 0;
	uintptr_t	lo,
				hi;

	if (size < KAM_HUGE_ARRAY)
		return;
	if (page == 0)
		page = (uintptr_t) sysconf(_SC_PAGESIZE);
	lo = (uintptr_t) p & ~(page - 1);
	hi = ((uintptr_t) p + size + page - 1) & ~(page - 1);
	(void) madvise((void *) lo, hi - lo, MADV_HUGEPAGE);
#else
	(void) p;
	(void) size;
#endif
}

/*
 * The bytes to allocate for a large block of at least size bytes: up to a
 * whole number of huge pages less KAM_HUGE_SLACK, the most the allocators'
 * headers take (AllocSet's block and chunk headers, glibc's chunk header).
 * glibc maps a block this large by itself, its length rounded up to whole
 * pages: then exactly that many huge pages, and Linux (6.7 and later) places
 * an anonymous mapping whose length is a multiple of the huge page size on a
 * huge page boundary, on mmap and on mremap alike.  The whole array is then
 * in huge pages from its first byte, and stays so when repalloc moves it;
 * otherwise its first and last huge page's worth fault in small pages (about
 * 1 MB each on average, 256 faults).  Only address space is added: a page
 * never touched is never faulted in.
 */
#define KAM_HUGE_SLACK ((Size) 512)

Size
kam_large_size(Size size)
{
	if (size < KAM_HUGE_ARRAY || size > MaxAllocHugeSize - KAM_HUGE_PAGE)
		return size;
	return TYPEALIGN(KAM_HUGE_PAGE, size + KAM_HUGE_SLACK) - KAM_HUGE_SLACK;
}

/*
 * Collapse into huge pages at once (MADV_COLLAPSE, Linux 6.1; a hint) the
 * small pages that the first `used` bytes of a block of `size` bytes at p
 * (kam_large_size) are in.  Small pages are there where the allocator wrote
 * its header before the block was advised (the first page), and where
 * repalloc moved elements that were in small pages (a block that grew past
 * KAM_HUGE_ARRAY) or to another offset from a huge page boundary; a huge
 * page with one small page in it faults in small pages thereafter.  The
 * huge page p is in counts as the block's own when p is within
 * KAM_HUGE_SLACK of its start (the block is a mapping of its own, on a huge
 * page boundary); else only the whole huge pages after p.
 */
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

#ifdef __linux__
/*
 * Whether transparent huge pages are not turned off ("never"), which
 * MADV_COLLAPSE would not heed: read once a process.
 */
static bool
huge_pages_allowed(void)
{
	static int	allowed = -1;

	if (allowed < 0)
	{
		FILE	   *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
		char		line[128] = "";

		allowed = 1;
		if (f != NULL)
		{
			if (fgets(line, sizeof(line), f) != NULL && strstr(line, "[never]") != NULL)
				allowed = 0;
			fclose(f);
		}
	}
	return allowed == 1;
}
#endif

static void
array_collapse(char *p, Size used, Size size)
{
#ifdef __linux__
	uintptr_t	off = (uintptr_t) p & (KAM_HUGE_PAGE - 1);
	uintptr_t	lo,
				hi;

	if (size < KAM_HUGE_ARRAY || !huge_pages_allowed())
		return;
	lo = off < KAM_HUGE_SLACK ? (uintptr_t) p - off :
		TYPEALIGN(KAM_HUGE_PAGE, (uintptr_t) p);
	hi = Min(TYPEALIGN(KAM_HUGE_PAGE, (uintptr_t) p + Max(used, 1)),
			 TYPEALIGN_DOWN(KAM_HUGE_PAGE, (uintptr_t) p + size + KAM_HUGE_SLACK));
	if (hi > lo)
		(void) madvise((void *) lo, hi - lo, MADV_COLLAPSE);
#else
	(void) p;
	(void) used;
	(void) size;
#endif
}

/*
 * A large block's pages as huge pages: advised (array_advise) and, of its
 * first `used` bytes, collapsed (array_collapse).
 */
static void
array_huge_pages(char *p, Size used, Size size)
{
	array_advise(p, size);
	array_collapse(p, used, size);
}

/*
 * size bytes in ctx, past MaxAllocSize if need be, advised as huge pages
 * like the arrays (2 MB or more) before their first touch, the allocator's
 * own first page collapsed into one; flags as MemoryContextAllocExtended's
 * (MCXT_ALLOC_ZERO zeroes after the advice).  For large scratch space and
 * states that are not growable arrays.
 */
void *
kam_alloc_large(MemoryContext ctx, Size size, int flags)
{
	Size		bytes = kam_large_size(size);
	char	   *p = MemoryContextAllocExtended(ctx, bytes,
											   (flags & ~MCXT_ALLOC_ZERO) | MCXT_ALLOC_HUGE);

	if (p == NULL)
		return NULL;
	array_huge_pages(p, 0, bytes);
	if (flags & MCXT_ALLOC_ZERO)
		memset(p, 0, size);
	return p;
}

/*
 * p (from kam_alloc_large, or any palloc) grown or shrunk to size bytes, as
 * repalloc_huge does, of which the first `used` are kept: the new block
 * advised as huge pages, and the kept bytes collapsed into huge pages
 * (array_collapse).
 */
void *
kam_realloc_large(void *p, Size size, Size used)
{
	char	   *q;

	size = kam_large_size(size);
	q = repalloc_huge(p, size);
	array_huge_pages(q, Min(used, size), size);
	return q;
}

void
kam_array_init(KamArray *a, MemoryContext ctx, Size elem, int64 initial)
{
	a->ctx = ctx;
	a->elem = elem;
	a->n = 0;
	/* initial 0: nothing allocated until the first element */
	a->max = initial > 0 ? (int64) (kam_large_size(Max(initial, 8) * elem) / elem) : 0;
	a->data = a->max > 0 ? kam_alloc_large(ctx, a->max * elem, 0) : NULL;
}

/* room for `more` further elements */
void
kam_array_reserve(KamArray *a, int64 more)
{
	int64		need = a->n + more;
	char	   *was = a->data;

	if (need <= a->max)
		return;
	if ((Size) need > MaxAllocHugeSize / a->elem)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("kam aggregate state too large"),
				 errdetail("It would hold " INT64_FORMAT " elements of %zu bytes.", need, a->elem)));
	a->max = Max(need, Min(Max(a->max * 2, 8), (int64) (MaxAllocHugeSize / a->elem)));
	/* the whole of the huge pages it takes (kam_large_size) */
	a->max = (int64) (kam_large_size(a->max * a->elem) / a->elem);
	a->data = was ? kam_realloc_large(was, a->max * a->elem, a->n * a->elem) :
		kam_alloc_large(a->ctx, a->max * a->elem, 0);
}

void
kam_array_append(KamArray *a, const void *src, int64 count)
{
	if (count <= 0)
		return;
	kam_array_reserve(a, count);
	memcpy(a->data + a->n * a->elem, src, count * a->elem);
	a->n += count;
}

/* the largest chunk AllocSet rounds up to a power of two (aset.c's ALLOC_CHUNK_LIMIT) */
#define KAM_SMALL_CHUNK 8192

/* room for need elements after the header: the allocation's size, and in *max its elements */
static Size
flex_size(Size header, Size elem, int64 need, int64 grow_from, int64 *max)
{
	int64		limit = (int64) ((MaxAllocHugeSize - header) / elem);
	int64		room;
	Size		bytes;

	if (need > limit)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("kam aggregate state too large"),
				 errdetail("It would hold " INT64_FORMAT " elements of %zu bytes.", need, elem)));
	room = Max(need, Min(grow_from * 2, limit));
	bytes = header + room * elem;
	/* a small chunk takes a power of two anyway (AllocSet's free lists) */
	if (bytes <= KAM_SMALL_CHUNK)
		bytes = pg_nextpower2_size_t(bytes);
	*max = (int64) ((bytes - header) / elem);
	return bytes;
}

void *
kam_flex_new(MemoryContext ctx, Size header, Size elem, int64 room)
{
	int64		max;
	Size		bytes = flex_size(header, elem, room, 0, &max);
	KamFlexHead *h = MemoryContextAllocHuge(ctx, bytes);

	Assert(header >= sizeof(KamFlexHead));
	memset(h, 0, header);
	h->max = max;
	return h;
}

void *
kam_flex_grow(void *state, Size header, Size elem, int64 more)
{
	KamFlexHead *h = state;
	int64		max;
	Size		bytes;

	bytes = flex_size(header, elem, h->n + more, h->max, &max);
	h = repalloc_huge(h, bytes);
	h->max = max;
	return h;
}

void *
kam_flex_append(void *state, Size header, Size elem, const void *src, int64 count)
{
	KamFlexHead *h = kam_flex_reserve(state, header, elem, count);

	if (count > 0)
		memcpy((char *) h + header + h->n * elem, src, count * elem);
	h->n += count;
	return h;
}

void
kam_combine_free_spent(FunctionCallInfo fcinfo, void *state, KamArray *array)
{
	if (!kam_combine_second_spent(fcinfo))
		return;
	if (array != NULL && array->data != NULL)
		pfree(array->data);
	pfree(state);
}

/* ---------- the versioned serializer ---------- */

void
kam_state_send_begin(StringInfo buf, uint8 kind, uint8 version)
{
	pq_begintypsend(buf);
	pq_sendint32(buf, KAM_STATE_MAGIC);
	pq_sendbyte(buf, kind);
	pq_sendbyte(buf, version);
}

bytea *
kam_state_send_end(StringInfo buf, const char *what)
{
	if (!AllocSizeIsValid((Size) buf->len))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s state is too large to pass to a parallel worker", what),
				 errhint("Disable parallel query for this statement (SET max_parallel_workers_per_gather = 0).")));
	return pq_endtypsend(buf);
}

/* Read a state's header; buf then points at its first field. */
void
kam_state_recv_begin(StringInfo buf, bytea *in, uint8 kind, uint8 version, const char *what)
{
	buf->data = VARDATA_ANY(in);
	buf->len = VARSIZE_ANY_EXHDR(in);
	buf->maxlen = buf->len;
	buf->cursor = 0;
	if (buf->len < 6 || (uint32) pq_getmsgint(buf, 4) != KAM_STATE_MAGIC)
		elog(ERROR, "%s: not a kam partial state", what);
	if (pq_getmsgbyte(buf) != kind || pq_getmsgbyte(buf) != version)
		elog(ERROR, "%s: partial state of another kind or format version", what);
}

void
kam_state_recv_end(StringInfo buf, const char *what)
{
	if (buf->cursor != buf->len)
		elog(ERROR, "%s: trailing bytes in a partial state", what);
}

/* the bytes of a record of nfields fields of widths[] bytes */
static Size
record_width(const uint8 *widths, int nfields)
{
	Size		each = 0;

	for (int f = 0; f < nfields; f++)
	{
		if (widths[f] != 4 && widths[f] != 8)
			elog(ERROR, "kam partial state: a field of %d bytes", widths[f]);
		each += widths[f];
	}
	return each;
}

/*
 * Between n records `stride` bytes apart, each nfields 4- or 8-byte fields
 * packed from the record's start, and the same fields back to back in
 * network byte order (as pq_sendint32/pq_sendfloat8 write them): to_wire
 * fills `wire` from the records, else the records from `wire`.  The byte
 * swap is the same both ways.
 */
static void
records_swap(char *wire, char *rec, int64 n, Size stride, const uint8 *widths, int nfields,
			 bool to_wire)
{
	for (int64 i = 0; i < n; i++, rec += stride)
	{
		char	   *field = rec;

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		for (int f = 0; f < nfields; field += widths[f], wire += widths[f], f++)
		{
			char	   *dst = to_wire ? wire : field;
			const char *src = to_wire ? field : wire;

			if (widths[f] == 4)
			{
				uint32		u;

				memcpy(&u, src, 4);
				u = pg_hton32(u);
				memcpy(dst, &u, 4);
			}
			else
			{
				uint64		u;

				memcpy(&u, src, 8);
				u = pg_hton64(u);
				memcpy(dst, &u, 8);
			}
		}
	}
}

/*
 * Room for bytes more in a partial state being sent; a buffer of 2 MB or
 * more advised as huge pages like the arrays (it grows by repalloc, moved
 * or grown whole, so advised it stays).
 */
static void
send_enlarge(StringInfo buf, Size bytes)
{
	int			had = buf->maxlen;

	enlargeStringInfo(buf, (int) bytes);
	if (buf->maxlen != had)
		array_advise(buf->data, (Size) buf->maxlen);
}

/* n records (records_swap) appended to buf in one pass */
void
kam_state_send_records(StringInfo buf, const void *base, int64 n, Size stride,
					   const uint8 *widths, int nfields)
{
	Size		each = record_width(widths, nfields);

	if ((Size) n > (MaxAllocSize - (Size) buf->len - 1) / each)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("kam partial state is too large to pass to a parallel worker"),
				 errhint("Disable parallel query for this statement (SET max_parallel_workers_per_gather = 0).")));
	send_enlarge(buf, n * each);
	records_swap(buf->data + buf->len, (char *) base, n, stride, widths, nfields, true);
	buf->len += (int) (n * each);
	buf->data[buf->len] = '\0';
}

/* n records written by kam_state_send_records, into base (room for n) */
void
kam_state_recv_records(StringInfo buf, void *base, int64 n, Size stride,
					   const uint8 *widths, int nfields)
{
	Size		each = record_width(widths, nfields);

	if ((Size) n > (Size) (buf->len - buf->cursor) / each)
		elog(ERROR, "kam partial state: fewer values than announced");
	records_swap(buf->data + buf->cursor, base, n, stride, widths, nfields, false);
	buf->cursor += (int) (n * each);
}

/*
 * n records of `each` bytes, packed, as this machine holds them: for the
 * partial states of parallel workers of one server, which never leave it,
 * copied in one move each way.  A mark of the machine's byte order goes
 * first, so that such a state read on a machine of the other order fails
 * instead of being misread; before it, a byte saying how many bytes of
 * padding follow, so that the records start 8-byte aligned in the message
 * (a sender may fill them in place: kam_state_send_native_room).
 */
#define KAM_NATIVE_MARK 0x01020304

static KAM_NORETURN void state_too_large(void);

static void
state_too_large(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("kam partial state is too large to pass to a parallel worker"),
			 errhint("Disable parallel query for this statement (SET max_parallel_workers_per_gather = 0).")));
}

/*
 * Room for `bytes` more at the end of buf, for the caller to write there
 * (and then move buf->len past): grown by doubling, as appending would.
 */
void
kam_state_send_reserve(StringInfo buf, Size bytes)
{
	if (likely((Size) (buf->maxlen - buf->len) > bytes))
		return;
	if (bytes > MaxAllocSize - (Size) buf->len - 16)
		state_too_large();
	send_enlarge(buf, bytes);
}

/*
 * Room for n records of `each` bytes at the end of buf, aligned, after the
 * mark, for the caller to fill in place (until buf next grows): where it
 * starts.
 */
char *
kam_state_send_native_room(StringInfo buf, int64 n, Size each)
{
	uint32		mark = KAM_NATIVE_MARK;
	static const char zeros[8] = {0};
	int			pad;
	char	   *room;

	if (n < 0 || (Size) n > (MaxAllocSize - (Size) buf->len - 16) / Max(each, 1))
		state_too_large();
	/* buf->data is palloc'd, so aligned: the records start at a multiple of 8 */
	pad = (int) ((8 - (buf->len + 1 + sizeof(mark)) % 8) % 8);
	pq_sendbyte(buf, pad);
	appendBinaryStringInfoNT(buf, zeros, pad);
	appendBinaryStringInfoNT(buf, (const char *) &mark, sizeof(mark));
	send_enlarge(buf, n * each);
	room = buf->data + buf->len;
	Assert(((uintptr_t) room) % 8 == 0);
	buf->len += (int) (n * each);
	buf->data[buf->len] = '\0';
	return room;
}

/*
 * The last records of buf's room dropped (`fewer` of them): buf ends sooner,
 * and the count sent before them (pq_sendint64 at count_at) is that much
 * smaller.
 */
void
kam_state_send_native_shrink(StringInfo buf, int count_at, int64 fewer, Size each)
{
	uint64		count;

	memcpy(&count, buf->data + count_at, sizeof(count));
	count = pg_ntoh64(count);
	if (fewer < 0 || (uint64) fewer > count || (Size) fewer * each > (Size) buf->len)
		elog(ERROR, "kam partial state: cannot drop %lld records of %llu",
			 (long long) fewer, (unsigned long long) count);
	count = pg_hton64(count - fewer);
	memcpy(buf->data + count_at, &count, sizeof(count));
	buf->len -= (int) (fewer * each);
	buf->data[buf->len] = '\0';
}

void
kam_state_send_native(StringInfo buf, const void *base, int64 n, Size each)
{
	char	   *room = kam_state_send_native_room(buf, n, each);

	if (n > 0)
		memcpy(room, base, n * each);
}

/* n records written by kam_state_send_native, into base (room for n) */
void
kam_state_recv_native(StringInfo buf, void *base, int64 n, Size each)
{
	uint32		mark;
	int			pad = pq_getmsgbyte(buf);

	if (pad > 7)
		elog(ERROR, "kam partial state: %d bytes of padding", pad);
	pq_getmsgbytes(buf, pad);
	memcpy(&mark, pq_getmsgbytes(buf, sizeof(mark)), sizeof(mark));
	if (mark != KAM_NATIVE_MARK)
		elog(ERROR, "kam partial state: written by a machine of another byte order");
	if (n < 0 || (Size) n > (Size) (buf->len - buf->cursor) / Max(each, 1))
		elog(ERROR, "kam partial state: fewer values than announced");
	if (n > 0)
		memcpy(base, pq_getmsgbytes(buf, (int) (n * each)), n * each);
}

static const uint8 one_double[] = {8};

/* n doubles in network byte order, as pq_sendfloat8 writes each, in one pass */
void
kam_state_send_doubles(StringInfo buf, const double *v, int64 n)
{
	kam_state_send_records(buf, v, n, sizeof(double), one_double, 1);
}

void
kam_state_recv_doubles(StringInfo buf, double *v, int64 n)
{
	kam_state_recv_records(buf, v, n, sizeof(double), one_double, 1);
}

/*
 * A count of elements that follow, each at least bytes_each long: at most
 * `max`, and no more than the rest of the message can hold.
 */
int64
kam_state_recv_count(StringInfo buf, int64 max, Size bytes_each, const char *what)
{
	int64		n = pq_getmsgint64(buf);

	if (n < 0 || n > max || (Size) n > (Size) (buf->len - buf->cursor) / Max(bytes_each, 1))
		elog(ERROR, "%s: bad element count in a partial state", what);
	return n;
}
