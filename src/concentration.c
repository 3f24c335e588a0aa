/*-------------------------------------------------------------------------
 *
 * concentration.c
 *	  Revenue concentration of a portfolio (docs/scoring.md).
 *
 *	  kam.hhi(revenue)                   sum of squared shares, 0..1
 *	  kam.equivalent_customers(revenue)  1 / HHI
 *		state kam.hhi_state (n, sum, sum of squares): fixed size, text I/O
 *	  kam.gini(revenue)                  sum (2i - n - 1) x_(i) / (n sum x),
 *										 x ascending (population Gini)
 *	  kam.top_share(revenue, n)          share of the n largest values
 *	  kam.abc_class(revenue [, a, b]) OVER (...)
 *										 window function: 'A' while the
 *										 revenue of larger accounts is below
 *										 a of the total, then 'B' below b,
 *										 then 'C'
 *
 *	  Revenue must be finite and non-negative; a zero total gives NULL.
 *
 *-------------------------------------------------------------------------
 */
#include "kam.h"

#include "miscadmin.h"

#include <errno.h>

#include "common/int128.h"
#include "libpq/pqformat.h"
#include "port/pg_bitutils.h"
#include "storage/buffile.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "windowapi.h"

/* ---------- kam.hhi_state ---------- */

typedef struct KamHhi
{
	double		n;
	double		sum;
	double		sumsq;
	double		comp_sum;		/* compensations of the two sums (not in the
								 * text form) */
	double		comp_sumsq;
} KamHhi;

static const char *const hhi_names[] = {"n", "sum", "sum_squares"};

static const char *
hhi_invalid(const double *v)
{
	if (!isfinite(v[1]) || !isfinite(v[2]) || v[1] < 0 || v[2] < 0)
		return "sum and sum_squares must be finite and non-negative.";
	return NULL;
}

static const KamValuesType hhi_type = {"kam.hhi_state", hhi_names, 3, 0, hhi_invalid};

/* the three values of the text and binary forms (the sums with their compensations) */
static void
hhi_values(const KamHhi *h, double *v)
{
	v[0] = h->n;
	v[1] = h->sum + h->comp_sum;
	v[2] = h->sumsq + h->comp_sumsq;
}

static KamHhi *
hhi_from_values(const double *v)
{
	KamHhi	   *h = palloc0(sizeof(KamHhi));

	h->n = v[0];
	h->sum = v[1];
	h->sumsq = v[2];
	return h;
}

/* stored with n as int64 (kam_counts_load); worked on as doubles */
#define HHI_COUNTS 0x1
#define hhi_load(stored, h) kam_counts_load((stored), (h), sizeof(KamHhi), HHI_COUNTS)
#define hhi_store(h, stored) kam_counts_store((h), (stored), sizeof(KamHhi), HHI_COUNTS)

/* a kam.hhi_state argument as its working copy */
static KamHhi *
hhi_arg(FunctionCallInfo fcinfo, int argno)
{
	KamHhi	   *h = palloc(sizeof(KamHhi));

	hhi_load(PG_GETARG_POINTER(argno), h);
	return h;
}

static void
hhi_check_result(const KamHhi *h)
{
	double		v[3];

	hhi_values(h, v);
	kam_values_check_result(&hhi_type, v);
}

PG_FUNCTION_INFO_V1(kam_hhi_state_in);
Datum
kam_hhi_state_in(PG_FUNCTION_ARGS)
{
	double		v[3];

	kam_values_in(&hhi_type, PG_GETARG_CSTRING(0), v);
	PG_RETURN_POINTER(hhi_store(hhi_from_values(v), NULL));
}

PG_FUNCTION_INFO_V1(kam_hhi_state_out);
Datum
kam_hhi_state_out(PG_FUNCTION_ARGS)
{
	double		v[3];

	hhi_values(hhi_arg(fcinfo, 0), v);
	PG_RETURN_CSTRING(kam_values_out(&hhi_type, v));
}

PG_FUNCTION_INFO_V1(kam_hhi_state_send);
Datum
kam_hhi_state_send(PG_FUNCTION_ARGS)
{
	double		v[3];

	hhi_values(hhi_arg(fcinfo, 0), v);
	PG_RETURN_BYTEA_P(kam_values_send(&hhi_type, v));
}

PG_FUNCTION_INFO_V1(kam_hhi_state_recv);
Datum
kam_hhi_state_recv(PG_FUNCTION_ARGS)
{
	double		v[3];

	kam_values_recv(&hhi_type, (StringInfo) PG_GETARG_POINTER(0), v);
	PG_RETURN_POINTER(hhi_store(hhi_from_values(v), NULL));
}


static inline void
hhi_add(KamHhi *h, double sum, double comp_sum, double sumsq, double comp_sumsq)
{
	KamSum		s = {h->sum, h->comp_sum};
	KamSum		q = {h->sumsq, h->comp_sumsq};

	kam_sum_add(&s, sum);
	kam_sum_add(&q, sumsq);
	h->sum = s.sum;
	h->comp_sum = s.comp + comp_sum;
	h->sumsq = q.sum;
	h->comp_sumsq = q.comp + comp_sumsq;
}

PG_FUNCTION_INFO_V1(kam_hhi_sfunc);
Datum
kam_hhi_sfunc(PG_FUNCTION_ARGS)
{
	void	   *st;
	KamHhi		w,
			   *h = &w;
	double		x;

	KAM_AGG_SKIP_NULL(1, 1);
	x = kam_money_arg(fcinfo, 1);
	kam_check_money(x, "revenue");
	st = kam_fixed_state(fcinfo, sizeof(KamHhi));
	hhi_load(st, h);
	h->n += 1;
	hhi_add(h, x, 0, x * x, 0);
	hhi_check_result(h);
	PG_RETURN_POINTER(hhi_store(h, st));
}

PG_FUNCTION_INFO_V1(kam_hhi_combine);
Datum
kam_hhi_combine(PG_FUNCTION_ARGS)
{
	void	   *st;
	KamHhi		w,
			   *h = &w,
			   *o;

	KAM_AGG_SKIP_NULL(1, 1);
	o = hhi_arg(fcinfo, 1);
	st = kam_fixed_state(fcinfo, sizeof(KamHhi));
	hhi_load(st, h);
	h->n += o->n;
	hhi_add(h, o->sum, o->comp_sum, o->sumsq, o->comp_sumsq);
	hhi_check_result(h);
	PG_RETURN_POINTER(hhi_store(h, st));
}

/* HHI = sum x^2 / (sum x)^2; NULL for no rows or a zero total */
static bool
hhi_value(const KamHhi *h, double *v)
{
	double		s = h->sum + h->comp_sum;

	if (h->n == 0 || s == 0)
		return false;
	/* divided twice: s * s may overflow where the ratio does not */
	*v = (h->sumsq + h->comp_sumsq) / s / s;
	return true;
}

PG_FUNCTION_INFO_V1(kam_hhi_final);
Datum
kam_hhi_final(PG_FUNCTION_ARGS)
{
	double		v;

	if (PG_ARGISNULL(0) || !hhi_value(hhi_arg(fcinfo, 0), &v))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(v);
}

PG_FUNCTION_INFO_V1(kam_equivalent_customers_final);
Datum
kam_equivalent_customers_final(PG_FUNCTION_ARGS)
{
	double		v;

	if (PG_ARGISNULL(0) || !hhi_value(hhi_arg(fcinfo, 0), &v))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(1 / v);
}

/* ---------- the values of kam.gini ---------- */

/*
 * Every value, in memory up to work_mem; past it, in an aggregate (not a
 * window), the values in memory are sorted and written to a temporary file
 * as one run, and the final function merges the runs.  Memory then stays
 * near work_mem (plus 8 kB per run while merging) whatever the rows.
 *
 * A worker's values cross to the leader sorted and packed (kam_values_serial)
 * and stay packed there, one run each, decoded as the final merge reads them.
 */
typedef struct PackedRun
{
	char	   *data;			/* the packed values (kam_values_serial) */
	Size		len;
	int64		n;				/* how many */
} PackedRun;

typedef struct KamValues
{
	KamArray	mem;			/* doubles not in a run */
	bool		mem_sorted;		/* and they are ascending */
	int64		n;				/* every value, in runs or in memory */
	bool		can_spill;		/* in an aggregate, which closes the file at
								 * its end */
	BufFile    *file;			/* the runs, one after the other, or NULL */
	int			end_fileno;		/* where the next run goes */
	off_t		end_offset;
	KamArray	runs;			/* int64 per run: its number of values */
	KamArray	packed;			/* PackedRun: workers' values as they came */
	Size		packed_bytes;
	bool		received;		/* a worker's partial state: its packed run
								 * moves to the state it is combined into */
} KamValues;

static void values_spill(KamValues *s);

static KamValues *
values_new(FunctionCallInfo fcinfo, MemoryContext ctx, int64 room)
{
	KamValues  *s = MemoryContextAllocZero(ctx, sizeof(KamValues));

	kam_array_init(&s->mem, ctx, sizeof(double), room);
	kam_array_init(&s->runs, ctx, sizeof(int64), 0);
	kam_array_init(&s->packed, ctx, sizeof(PackedRun), 0);
	s->mem_sorted = true;
	s->can_spill = AggCheckCallContext(fcinfo, NULL) == AGG_CONTEXT_AGGREGATE;
	return s;
}

static inline void
values_add(KamValues *s, double x)
{
	if (unlikely(s->mem.n == s->mem.max) && s->can_spill &&
		(Size) s->mem.n * sizeof(double) >= (Size) work_mem * 1024)
		values_spill(s);
	*(double *) kam_array_push(&s->mem) = x + 0.0;	/* -0 becomes +0 for the
													 * radix sort */
	s->n++;
	s->mem_sorted = false;
}

/* the aggregate's end: the temporary file goes */
static void
values_shutdown(Datum arg)
{
	KamValues  *s = (KamValues *) DatumGetPointer(arg);

	if (s->file)
		BufFileClose(s->file);
	s->file = NULL;
}

/*
 * Gini's two sums over the values ascending, the i-th of n (from 1) adding
 * (2i - n - 1) x to the numerator and x to the total: exact, in whole cents,
 * while every value so far is of whole cents (money read from numeric
 * always is: kam_amount_cents), and compensated sums of doubles from the
 * first value that is not.  The same values give the same sums however
 * they were gathered (serially, by workers, spilled), and of money the
 * coefficient is the exact ratio rounded once per operation.
 */
typedef struct GiniSums
{
	int64		n;				/* the values to come, in all */
	int64		i;				/* added so far */
	bool		exact;			/* every one so far of whole cents: */
	INT128		num_cents;
	INT128		total_cents;
	KamSum		num;			/* else */
	KamSum		total;
} GiniSums;

static void sort_nonneg(double *v, int64 n, GiniSums *g);

/*
 * Reading a run back: from memory, from the file, or packed; and a buffer of
 * its next values.
 */
typedef struct RunReader
{
	const double *mem;			/* a run in memory, read at once; or NULL: */
	const char *pk;				/* a packed run, read from here to pk_end, or
								 * NULL: in the file, from */
	const char *pk_end;
	int			fileno;
	off_t		offset;
	int64		left;			/* values not yet in vals */
	int64		pos,
				len;
	const double *vals;			/* the values at hand: mem or buf */
	int64		cents;			/* a packed run: the last value of whole
								 * cents, */
	double		last;			/* and the last value */
	double		buf[1024];
} RunReader;

/*
 * Packed values, format version 3 of the state: ascending, each a varint;
 * a value of whole cents (kam_amount_cents) is its cents' distance from the
 * last such value before it (0 first) shifted left once, any other value a
 * 1 followed by its 8 bytes.  Over money of two decimals one or two bytes a
 * value rather than eight.
 */
#define VALUE_PACKED_MAX (KAM_VARINT_MAX + 8)

static inline char *
value_pack(char *o, double x, int64 *cents)
{
	int64		c;

	if (kam_amount_cents(kam_double_bits(x), &c) && c >= *cents)
	{
		o = kam_pack_varint(o, (uint64) (c - *cents) << 1);
		*cents = c;
		return o;
	}
	*o++ = 1;
	return kam_pack_bits(o, kam_double_bits(x));
}

static void
packed_fill(RunReader *r)
{
	int64		want = Min(r->left, (int64) lengthof(r->buf));

	for (int64 i = 0; i < want; i++)
	{
		uint64		v;
		double		x;

		if (!kam_unpack_varint(&r->pk, r->pk_end, &v))
			elog(ERROR, "kam.gini partial state: its values run past the state");
		if ((v & 1) == 0)
		{
			if ((v >> 1) >= (uint64) (KAM_CENTS_MAX - r->cents))
				elog(ERROR, "kam.gini partial state: cents out of range");
			r->cents += (int64) (v >> 1);
			x = (double) r->cents / 100.0;
		}
		else
		{
			uint64		bits;

			if (v != 1 || !kam_unpack_bits(&r->pk, r->pk_end, &bits))
				elog(ERROR, "kam.gini partial state: a value is not packed as written");
			x = kam_bits_double(bits);
		}
		/* ascending, non-negative and finite, as the worker read them */
		if (!(x >= r->last) || isinf(x))
			elog(ERROR, "kam.gini partial state: the values are not ascending");
		r->buf[i] = r->last = x;
	}
	r->left -= want;
	if (r->left == 0 && r->pk != r->pk_end)
		elog(ERROR, "kam.gini partial state: more bytes than values");
	r->vals = r->buf;
	r->len = want;
}

static void
run_fill(BufFile *file, RunReader *r)
{
	size_t		want;

	CHECK_FOR_INTERRUPTS();
	r->pos = 0;
	if (r->mem)
	{
		r->vals = r->mem;
		r->len = r->left;
		r->left = 0;
		return;
	}
	if (r->pk)
	{
		packed_fill(r);
		return;
	}
	want = Min(r->left, (int64) lengthof(r->buf)) * sizeof(double);
	if (BufFileSeek(file, r->fileno, r->offset, SEEK_SET) != 0 ||
		BufFileRead(file, r->buf, want) != want)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not read kam.gini temporary file: %m")));
	BufFileTell(file, &r->fileno, &r->offset);
	r->left -= want / sizeof(double);
	r->vals = r->buf;
	r->len = (int64) (want / sizeof(double));
}

static void
packed_reader(RunReader *r, const PackedRun *run)
{
	r->mem = NULL;
	r->pk = run->data;
	r->pk_end = run->data + run->len;
	r->left = run->n;
	r->cents = 0;
	r->last = 0;
}

/* the file, created if need be, positioned where the next run goes */
static void
values_file_at_end(KamValues *s)
{
	if (s->file == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(s->mem.ctx);

		s->file = BufFileCreateTemp(false);
		MemoryContextSwitchTo(old);
	}
	else if (BufFileSeek(s->file, s->end_fileno, s->end_offset, SEEK_SET) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not seek in kam.gini temporary file: %m")));
}

/* the run just written ends here, of n values */
static void
values_file_run_end(KamValues *s, int64 n)
{
	BufFileTell(s->file, &s->end_fileno, &s->end_offset);
	*(int64 *) kam_array_push(&s->runs) = n;
}

/*
 * The values in memory become a run at the end of the file, sorted first
 * unless they are.
 */
static void
values_spill(KamValues *s)
{
	double	   *v = (double *) s->mem.data;
	int64		n = s->mem.n;

	if (n == 0)
		return;
	if (!s->mem_sorted)
		sort_nonneg(v, n, NULL);
	values_file_at_end(s);
	for (int64 i = 0; i < n; i += 8192)
	{
		CHECK_FOR_INTERRUPTS();
		BufFileWrite(s->file, v + i, Min(n - i, 8192) * sizeof(double));
	}
	values_file_run_end(s, n);
	s->mem.n = 0;
	s->mem_sorted = true;
}

/* a packed run becomes a run at the end of the file (past work_mem) */
static void
values_spill_packed(KamValues *s, const PackedRun *run)
{
	RunReader  *r = palloc(sizeof(RunReader));

	values_file_at_end(s);
	packed_reader(r, run);
	while (r->left > 0)
	{
		run_fill(NULL, r);
		BufFileWrite(s->file, r->buf, r->len * sizeof(double));
	}
	values_file_run_end(s, run->n);
	pfree(r);
}

typedef struct ValuesMerge
{
	BufFile    *file;
	int			nruns;
	RunReader  *r;
	int		   *heap;			/* run numbers, a min-heap on their current
								 * value */
	int			size;
	int64		given;			/* values returned so far */
} ValuesMerge;

#define RUN_HEAD(m, i) ((m)->r[(m)->heap[i]].vals[(m)->r[(m)->heap[i]].pos])

static void
merge_sift_down(ValuesMerge *m, int i)
{
	for (;;)
	{
		int			l = 2 * i + 1,
					s = i,
					tmp;

		if (l < m->size && RUN_HEAD(m, l) < RUN_HEAD(m, s))
			s = l;
		if (l + 1 < m->size && RUN_HEAD(m, l + 1) < RUN_HEAD(m, s))
			s = l + 1;
		if (s == i)
			return;
		tmp = m->heap[i];
		m->heap[i] = m->heap[s];
		m->heap[s] = tmp;
		i = s;
	}
}

/*
 * Start reading every value of s in ascending order: the runs in the file
 * (the values in memory spilled first) or the values in memory (sorted in
 * place first unless they are, so a second final call does not sort
 * again), and the packed runs of workers.
 */
static void
values_merge_begin(KamValues *s, ValuesMerge *m)
{
	int			fileno = 0;
	off_t		offset = 0;
	int			nlocal;

	if (s->file)
		values_spill(s);
	else if (!s->mem_sorted)
	{
		sort_nonneg((double *) s->mem.data, s->mem.n, NULL);
		s->mem_sorted = true;
	}
	m->file = s->file;
	nlocal = (int) (s->file ? s->runs.n : 1);
	m->nruns = nlocal + (int) s->packed.n;
	m->r = kam_alloc_large(CurrentMemoryContext, m->nruns * sizeof(RunReader), 0);
	m->heap = palloc(m->nruns * sizeof(int));
	m->size = 0;
	m->given = 0;
	for (int i = 0; i < m->nruns; i++)
	{
		RunReader  *r = &m->r[i];

		if (i >= nlocal)
			packed_reader(r, &KAM_ARRAY_ELEM(&s->packed, PackedRun, i - nlocal));
		else if (s->file == NULL)
		{
			r->mem = (const double *) s->mem.data;
			r->pk = NULL;
			r->left = s->mem.n;
		}
		else
		{
			int64		len = KAM_ARRAY_ELEM(&s->runs, int64, i);

			/* runs follow one another: this one starts where the last ended */
			r->mem = NULL;
			r->pk = NULL;
			r->fileno = fileno;
			r->offset = offset;
			r->left = len;
			/* where the next run starts: after len values */
			if (BufFileSeek(m->file, fileno, offset + len * (off_t) sizeof(double),
							SEEK_SET) != 0)
				ereport(ERROR,
						(errcode_for_file_access(),
						 errmsg("could not seek in kam.gini temporary file: %m")));
			BufFileTell(m->file, &fileno, &offset);
		}
		if (r->left == 0)
			continue;
		run_fill(m->file, r);
		m->heap[m->size++] = i;
	}
	for (int i = m->size / 2 - 1; i >= 0; i--)
		merge_sift_down(m, i);
}

/* the next value in ascending order; false when none is left */
static bool
values_merge_next(ValuesMerge *m, double *x)
{
	RunReader  *r;

	if (m->size == 0)
		return false;
	if ((++m->given & 0xFFFF) == 0)
		CHECK_FOR_INTERRUPTS();
	r = &m->r[m->heap[0]];
	*x = r->vals[r->pos++];
	if (r->pos == r->len)
	{
		if (r->left > 0)
			run_fill(m->file, r);
		else
			m->heap[0] = m->heap[--m->size];
	}
	merge_sift_down(m, 0);
	return true;
}

/* Add every value of o to s (in ascending order). */
static void
values_append(KamValues *s, KamValues *o)
{
	ValuesMerge m;
	double		x;

	values_merge_begin(o, &m);
	while (values_merge_next(&m, &x))
		values_add(s, x);
}

static KamValues *
values_state(FunctionCallInfo fcinfo, int64 room)
{
	MemoryContext aggctx = kam_agg_context(fcinfo, "kam.gini");
	KamValues  *s;

	if (!PG_ARGISNULL(0))
		return (KamValues *) PG_GETARG_POINTER(0);
	s = values_new(fcinfo, aggctx, room);
	if (s->can_spill)
		AggRegisterCallback(fcinfo, values_shutdown, PointerGetDatum(s));
	return s;
}

PG_FUNCTION_INFO_V1(kam_values_sfunc);
Datum
kam_values_sfunc(PG_FUNCTION_ARGS)
{
	KamValues  *s;
	double		x;

	KAM_AGG_SKIP_NULL(1, 1);
	x = kam_money_arg(fcinfo, 1);
	kam_check_money(x, "revenue");
	s = values_state(fcinfo, 8);
	values_add(s, x);
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(kam_values_combine);
Datum
kam_values_combine(PG_FUNCTION_ARGS)
{
	KamValues  *s,
			   *o;

	KAM_AGG_SKIP_NULL(1, 1);
	o = (KamValues *) PG_GETARG_POINTER(1);
	s = values_state(fcinfo, o->received ? 8 : Min(o->n, (int64) work_mem * 1024 / (int64) sizeof(double)));
	if (!o->received)
	{
		values_append(s, o);
		PG_RETURN_POINTER(s);
	}
	/* a worker's packed runs (one): kept so, or past work_mem to the file */
	for (int64 i = 0; i < o->packed.n; i++)
	{
		PackedRun  *run = &KAM_ARRAY_ELEM(&o->packed, PackedRun, i);

		if (!s->can_spill ||
			s->mem.n * sizeof(double) + s->packed_bytes + run->len < (Size) work_mem * 1024)
		{
			*(PackedRun *) kam_array_push(&s->packed) = *run;
			s->packed_bytes += run->len;
		}
		else
		{
			values_spill(s);
			values_spill_packed(s, run);
			pfree(run->data);
		}
		s->n += run->n;
	}
	o->packed.n = 0;
	o->n = 0;
	PG_RETURN_POINTER(s);
}

/*
 * serialized state, format version 3: the number of values, then the values
 * ascending (sorted by the worker, so the leader only merges), packed
 * (value_pack) to the end of the state
 */
#define VALUES_STATE_VERSION 3

PG_FUNCTION_INFO_V1(kam_values_serial);
Datum
kam_values_serial(PG_FUNCTION_ARGS)
{
	KamValues  *s = (KamValues *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	ValuesMerge m;
	double		x;
	int64		cents = 0;

	kam_agg_context(fcinfo, "kam_values_serial");
	kam_state_send_begin(&buf, KAM_STATE_VALUES, VALUES_STATE_VERSION);
	pq_sendint64(&buf, s->n);
	values_merge_begin(s, &m);
	while (values_merge_next(&m, &x))
	{
		if (unlikely(buf.maxlen - buf.len <= VALUE_PACKED_MAX))
			kam_state_send_reserve(&buf, 1024 * VALUE_PACKED_MAX);
		buf.len = value_pack(buf.data + buf.len, x, &cents) - buf.data;
	}
	PG_RETURN_BYTEA_P(kam_state_send_end(&buf, "kam.gini"));
}

PG_FUNCTION_INFO_V1(kam_values_deserial);
Datum
kam_values_deserial(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = kam_agg_context(fcinfo, "kam_values_deserial");
	StringInfoData buf;
	KamValues  *s;
	PackedRun	run;

	kam_state_recv_begin(&buf, PG_GETARG_BYTEA_PP(0), KAM_STATE_VALUES, VALUES_STATE_VERSION,
						 "kam_values_deserial");
	/* a byte a value at least; each checked as the merge reads it */
	run.n = kam_state_recv_count(&buf, PG_INT64_MAX, 1, "kam_values_deserial");
	run.len = buf.len - buf.cursor;
	run.data = kam_alloc_large(aggctx, Max(run.len, 1), 0);
	memcpy(run.data, buf.data + buf.cursor, run.len);
	buf.cursor = buf.len;
	s = values_new(fcinfo, aggctx, 0);
	s->can_spill = false;
	s->received = true;
	s->n = run.n;
	if (run.n > 0)
		*(PackedRun *) kam_array_push(&s->packed) = run;
	else if (run.len != 0)
		elog(ERROR, "kam_values_deserial: bytes without values in a partial state");
	kam_state_recv_end(&buf, "kam_values_deserial");
	PG_RETURN_POINTER(s);
}

/*
 * Sort non-negative doubles ascending.  Their IEEE bit patterns order like
 * unsigned integers, and when every value is of whole cents (money, mostly;
 * kam_amount_cents) so do their cents, integers of a few bytes: an LSD radix
 * sort does either in linear time, over the cents in two or three passes
 * rather than the five or six of a double's bits.  Small arrays use qsort.
 */
#define RADIX_MAX_BITS 12		/* a digit's widest: 4096 buckets, each pass's
								 * scatter within the caches */
#define RADIX_BLOCK 65536		/* values between interrupt checks */

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	/*
	 * pg_qsort sorts in place, allocating nothing: it may stop at any
	 * comparison
	 */
	CHECK_FOR_INTERRUPTS();
	return x < y ? -1 : (x > y ? 1 : 0);
}

/*
 * LSD radix sort of keys[0..n) below 2^bits, buf of as many: digits of
 * equal width up to RADIX_MAX_BITS, every pass's counts taken in one read,
 * the passes alternating between keys and buf, a pass skipped where every
 * key has the same digit.  Returns where the sorted keys are.
 */
static uint64 *
radix_sort(uint64 *keys, uint64 *buf, int64 n, int bits)
{
	int			passes = Max(1, (bits + RADIX_MAX_BITS - 1) / RADIX_MAX_BITS);
	int			width = (Max(bits, 1) + passes - 1) / passes;
	uint64		mask = ((uint64) 1 << width) - 1;
	int64		(*count)[1 << RADIX_MAX_BITS];
	uint64	   *src = keys,
			   *dst = buf;

	count = palloc0(passes * sizeof(*count));
	for (int64 b = 0; b < n; b += RADIX_BLOCK)
	{
		int64		e = Min(n, b + RADIX_BLOCK);

		CHECK_FOR_INTERRUPTS();
		for (int64 i = b; i < e; i++)
			for (int pass = 0; pass < passes; pass++)
				count[pass][(src[i] >> (pass * width)) & mask]++;
	}
	for (int pass = 0; pass < passes; pass++)
	{
		int64	   *c = count[pass];
		int			shift = pass * width;
		int64		pos = 0;
		uint64	   *swap;

		if (c[(src[0] >> shift) & mask] == n)
			continue;			/* every key has this digit */
		for (uint64 d = 0; d <= mask; d++)
		{
			int64		k = c[d];

			c[d] = pos;
			pos += k;
		}
		for (int64 b = 0; b < n; b += RADIX_BLOCK)
		{
			int64		e = Min(n, b + RADIX_BLOCK);

			CHECK_FOR_INTERRUPTS();
			for (int64 i = b; i < e; i++)
				dst[c[(src[i] >> shift) & mask]++] = src[i];
		}
		swap = src;
		src = dst;
		dst = swap;
	}
	pfree(count);
	return src;
}

/*
 * Every value's cents into cents[], and their bits' width; false when a
 * value is not of whole cents.
 */
static bool
values_as_cents(const double *v, int64 n, uint64 *cents, int *bits)
{
	uint64		any = 0;

	for (int64 b = 0; b < n; b += RADIX_BLOCK)
	{
		int64		e = Min(n, b + RADIX_BLOCK);

		CHECK_FOR_INTERRUPTS();
		for (int64 i = b; i < e; i++)
		{
			int64		c;

			if (!kam_amount_cents(kam_double_bits(v[i]), &c))
				return false;
			cents[i] = (uint64) c;	/* v[i] >= 0: so is c */
			any |= cents[i];
		}
	}
	*bits = pg_leftmost_one_pos64(any | 1) + 1;
	return true;
}

static inline double
int128_double(INT128 v)
{
#if USE_NATIVE_INT128
	return (double) v;
#else
	return (double) v.hi * 18446744073709551616.0 + (double) v.lo;
#endif
}

static void
gini_begin(GiniSums *g, int64 n)
{
	memset(g, 0, sizeof(GiniSums));
	g->n = n;
	g->exact = true;
}

static inline void
gini_add_cents(GiniSums *g, int64 cents)
{
	g->i++;
	int128_add_int64_mul_int64(&g->num_cents, 2 * g->i - g->n - 1, cents);
	int128_add_int64(&g->total_cents, cents);
}

static void
gini_add(GiniSums *g, double x)
{
	int64		cents;

	if (g->exact)
	{
		if (kam_amount_cents(kam_double_bits(x), &cents))
		{
			gini_add_cents(g, cents);
			return;
		}
		/* the exact sums so far carried over to the doubles */
		g->exact = false;
		kam_sum_add(&g->num, int128_double(g->num_cents) / 100.0);
		kam_sum_add(&g->total, int128_double(g->total_cents) / 100.0);
	}
	g->i++;
	kam_sum_add(&g->num, (2.0 * g->i - g->n - 1) * x);
	kam_sum_add(&g->total, x);
}

static void
gini_add_all(GiniSums *g, const double *v, int64 n)
{
	for (int64 i = 0; i < n; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		gini_add(g, v[i]);
	}
}

/* the coefficient, false for a zero total */
static bool
gini_value(const GiniSums *g, double *gini)
{
	double		num,
				total;

	Assert(g->i == g->n);
	if (g->exact)
	{
		/* both in cents: the hundredths cancel */
		num = int128_double(g->num_cents);
		total = int128_double(g->total_cents);
	}
	else
	{
		num = kam_sum_value(&g->num);
		total = kam_sum_value(&g->total);
	}
	if (total == 0)
		return false;
	*gini = num / ((double) g->n * total);
	return true;
}

/*
 * Sort v ascending, and with g add every value to Gini's sums in that order
 * (as the sorted values are written back: no pass of its own).
 */
static void
sort_nonneg(double *v, int64 n, GiniSums *g)
{
	uint64	   *buf,
			   *out;
	int			bits;

	if (n < 4096)
		qsort(v, n, sizeof(double), cmp_double);
	else
	{
		buf = kam_alloc_large(CurrentMemoryContext, n * sizeof(uint64), 0);
		if (values_as_cents(v, n, buf, &bits))
		{
			/*
			 * sorted in buf or v, back to the values (exact:
			 * kam_amount_cents)
			 */
			out = radix_sort(buf, (uint64 *) v, n, bits);
			for (int64 b = 0; b < n; b += RADIX_BLOCK)
			{
				int64		e = Min(n, b + RADIX_BLOCK);

				CHECK_FOR_INTERRUPTS();
				if (g)
					for (int64 i = b; i < e; i++)
						gini_add_cents(g, (int64) out[i]);
				for (int64 i = b; i < e; i++)
					v[i] = (double) (int64) out[i] / 100.0;
			}
			pfree(buf);
			return;
		}
		out = radix_sort((uint64 *) v, buf, n, 64);
		if (out != (uint64 *) v)
			memcpy(v, out, n * sizeof(uint64));
		pfree(buf);
	}
	if (g)
		gini_add_all(g, v, n);
}

PG_FUNCTION_INFO_V1(kam_gini_final);
Datum
kam_gini_final(PG_FUNCTION_ARGS)
{
	KamValues  *s;
	GiniSums	g;
	double		x;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = (KamValues *) PG_GETARG_POINTER(0);
	if (s->n == 0)
		PG_RETURN_NULL();
	gini_begin(&g, s->n);
	if (s->file == NULL && s->packed.n == 0)
	{
		/* one run in memory: read in place, sorted first unless it is */
		if (!s->mem_sorted)
			sort_nonneg((double *) s->mem.data, s->mem.n, &g);
		else
			gini_add_all(&g, (const double *) s->mem.data, s->mem.n);
		s->mem_sorted = true;
	}
	else
	{
		ValuesMerge m;

		values_merge_begin(s, &m);
		while (values_merge_next(&m, &x))
			gini_add(&g, x);
	}
	if (!gini_value(&g, &x))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(x);
}

/* ---------- kam.top_share: a min-heap of the n largest values ---------- */

typedef struct KamTop
{
	int64		count;			/* rows */
	int64		k;				/* n of top_share(revenue, n) */
	KamSum		total;
	KamArray	heap;			/* doubles, a min-heap: the smallest kept
								 * first */
} KamTop;

static KamTop *
top_new(MemoryContext ctx, int64 k)
{
	KamTop	   *t = MemoryContextAllocZero(ctx, sizeof(KamTop));

	t->k = k;
	kam_array_init(&t->heap, ctx, sizeof(double), Min(k, 8));
	return t;
}

static void
top_sift_down(double *h, int64 size, int64 i)
{
	for (;;)
	{
		int64		l = 2 * i + 1,
					m = i;
		double		tmp;

		if (l < size && h[l] < h[m])
			m = l;
		if (l + 1 < size && h[l + 1] < h[m])
			m = l + 1;
		if (m == i)
			return;
		tmp = h[i];
		h[i] = h[m];
		h[m] = tmp;
		i = m;
	}
}

/*
 * Keep the k largest values seen in the min-heap h of *size values (room for
 * min(k, *size + 1) values): x is added while fewer than k are kept, else it
 * replaces the smallest when larger.
 */
static void
top_heap_push(double *h, int64 *size, int64 k, double x)
{
	if (*size < k)
	{
		int64		i = (*size)++;

		h[i] = x;
		while (i > 0 && h[(i - 1) / 2] > h[i])
		{
			double		tmp = h[i];

			h[i] = h[(i - 1) / 2];
			h[(i - 1) / 2] = tmp;
			i = (i - 1) / 2;
		}
	}
	else if (x > h[0])
	{
		h[0] = x;
		top_sift_down(h, *size, 0);
	}
}

static void
top_push(KamTop *t, double x)
{
	if (t->heap.n < t->k)
		kam_array_reserve(&t->heap, 1);
	top_heap_push((double *) t->heap.data, &t->heap.n, t->k, x);
}

static int64
check_top_n(int64 k)
{
	if (k < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("n must be at least 1"),
				 errdetail("Value is " INT64_FORMAT ".", k)));
	return k;
}

PG_FUNCTION_INFO_V1(kam_top_sfunc);
Datum
kam_top_sfunc(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = kam_agg_context(fcinfo, "kam_top_sfunc");
	KamTop	   *t;
	double		x;
	int64		k;

	KAM_AGG_SKIP_NULL(1, 2);
	x = PG_GETARG_FLOAT8(1);
	k = check_top_n(PG_GETARG_INT64(2));
	kam_check_money(x, "revenue");
	t = PG_ARGISNULL(0) ? top_new(aggctx, k) : (KamTop *) PG_GETARG_POINTER(0);
	if (t->k != k)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("n must be the same on every row"),
				 errdetail("Values " INT64_FORMAT " and " INT64_FORMAT ".", t->k, k)));
	t->count++;
	kam_sum_add(&t->total, x);
	top_push(t, x + 0.0);
	PG_RETURN_POINTER(t);
}

PG_FUNCTION_INFO_V1(kam_top_combine);
Datum
kam_top_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = kam_agg_context(fcinfo, "kam_top_combine");
	KamTop	   *t,
			   *o;

	KAM_AGG_SKIP_NULL(1, 1);
	o = (KamTop *) PG_GETARG_POINTER(1);
	t = PG_ARGISNULL(0) ? top_new(aggctx, o->k) : (KamTop *) PG_GETARG_POINTER(0);
	if (t->k != o->k)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("n must be the same on every row"),
				 errdetail("Values " INT64_FORMAT " and " INT64_FORMAT ".", t->k, o->k)));
	t->count += o->count;
	kam_sum_merge(&t->total, &o->total);
	for (int64 i = 0; i < o->heap.n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		top_push(t, KAM_ARRAY_ELEM(&o->heap, double, i));
	}
	kam_combine_free_spent(fcinfo, o, &o->heap);
	PG_RETURN_POINTER(t);
}

/* serialized state, format version 1: rows, n, the total, the number of values kept, the values */
#define TOP_STATE_VERSION 1

PG_FUNCTION_INFO_V1(kam_top_serial);
Datum
kam_top_serial(PG_FUNCTION_ARGS)
{
	KamTop	   *t = (KamTop *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	kam_agg_context(fcinfo, "kam_top_serial");
	kam_state_send_begin(&buf, KAM_STATE_TOP, TOP_STATE_VERSION);
	pq_sendint64(&buf, t->count);
	pq_sendint64(&buf, t->k);
	pq_sendfloat8(&buf, t->total.sum);
	pq_sendfloat8(&buf, t->total.comp);
	pq_sendint64(&buf, t->heap.n);
	kam_state_send_doubles(&buf, (const double *) t->heap.data, t->heap.n);
	PG_RETURN_BYTEA_P(kam_state_send_end(&buf, "kam.top_share"));
}

PG_FUNCTION_INFO_V1(kam_top_deserial);
Datum
kam_top_deserial(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = kam_agg_context(fcinfo, "kam_top_deserial");
	StringInfoData buf;
	KamTop	   *t;
	int64		count,
				k,
				size;
	double		sum,
				comp;

	kam_state_recv_begin(&buf, PG_GETARG_BYTEA_PP(0), KAM_STATE_TOP, TOP_STATE_VERSION,
						 "kam_top_deserial");
	count = pq_getmsgint64(&buf);
	k = pq_getmsgint64(&buf);
	sum = pq_getmsgfloat8(&buf);
	comp = pq_getmsgfloat8(&buf);
	if (k < 1)
		elog(ERROR, "kam_top_deserial: bad n");
	size = kam_state_recv_count(&buf, k, sizeof(double), "kam_top_deserial");
	t = top_new(aggctx, k);
	t->count = count;
	t->total.sum = sum;
	t->total.comp = comp;
	/* sent in heap order: still a heap */
	kam_array_reserve(&t->heap, size);
	kam_state_recv_doubles(&buf, (double *) t->heap.data, size);
	t->heap.n = size;
	kam_state_recv_end(&buf, "kam_top_deserial");
	PG_RETURN_POINTER(t);
}

PG_FUNCTION_INFO_V1(kam_top_final);
Datum
kam_top_final(PG_FUNCTION_ARGS)
{
	KamTop	   *t;
	KamSum		top = {0, 0};
	double		total;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	t = (KamTop *) PG_GETARG_POINTER(0);
	total = kam_sum_value(&t->total);
	if (t->count == 0 || total == 0)
		PG_RETURN_NULL();

	/*
	 * sum in ascending order, so the result does not depend on the heap's
	 * layout
	 */
	qsort(t->heap.data, t->heap.n, sizeof(double), cmp_double);
	for (int64 i = 0; i < t->heap.n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		kam_sum_add(&top, KAM_ARRAY_ELEM(&t->heap, double, i));
	}
	PG_RETURN_FLOAT8(Min(kam_sum_value(&top) / total, 1.0));
}

/*
 * ---------- kam.top_state: the state of kam.top_share ----------
 *
 * A concrete state type (so Citus computes it on the workers and combines
 * the partial states on the coordinator, through the text form): the rows,
 * n, the total with its compensation, and the n largest values as a
 * min-heap.  In memory the varlena has room for more values than it keeps
 * (it doubles as it grows, up to n); the text and binary forms list the
 * values kept in ascending order, which is also a min-heap, and the text form
 * is the value's identity (kam.= compares text forms).
 *
 * Text form: (rows=5,n=2,total=15,top={4,5})
 *
 * 0.1.0 and 0.2.0 declared kam.top_share with an internal state; their
 * catalogs call the KamTop functions above, which stay for them.
 */
typedef struct KamTopState
{
	int32		vl_len_;
	int32		version;		/* TOP_LAYOUT_VERSION */
	int64		rows;
	int64		k;
	double		total;
	double		comp;			/* compensation of total (kam_sum) */
	int64		size;			/* values kept in v, a min-heap */
	double		v[FLEXIBLE_ARRAY_MEMBER];
} KamTopState;

#define TOP_LAYOUT_VERSION 1
#define TOP_BINARY_VERSION 1
#define TOP_STATE_BYTES(cap) (offsetof(KamTopState, v) + (Size) (cap) * sizeof(double))
#define TOP_CAPACITY(t) ((int64) ((VARSIZE(t) - offsetof(KamTopState, v)) / sizeof(double)))
/* the most values a kam.top_state holds (a varlena is at most 1 GB) */
#define TOP_MAX_VALUES ((int64) ((MaxAllocSize - offsetof(KamTopState, v)) / sizeof(double)))

static KamTopState *
top_state_alloc(int64 k, int64 capacity)
{
	KamTopState *t;

	if (capacity > TOP_MAX_VALUES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("kam.top_state value too large"),
				 errdetail("It would keep " INT64_FORMAT " values; a value keeps at most " INT64_FORMAT ".",
						   capacity, TOP_MAX_VALUES),
				 errhint("Ask for fewer of the largest values (n of kam.top_share).")));
	t = palloc0(TOP_STATE_BYTES(capacity));
	SET_VARSIZE(t, TOP_STATE_BYTES(capacity));
	t->version = TOP_LAYOUT_VERSION;
	t->k = k;
	return t;
}

/* t with room for at least `need` values (a larger copy in the current context when it has not) */
static KamTopState *
top_state_reserve(KamTopState *t, int64 need)
{
	KamTopState *g;
	int64		cap = TOP_CAPACITY(t);

	if (need <= cap)
		return t;
	cap = Min(t->k, Max(need, Max(8, 2 * cap)));
	g = top_state_alloc(t->k, cap);
	memcpy(g, t, offsetof(KamTopState, v) + t->size * sizeof(double));
	SET_VARSIZE(g, TOP_STATE_BYTES(cap));
	return g;
}

/* a kam.top_state argument, detoasted, its layout checked */
static KamTopState *
top_state_arg(FunctionCallInfo fcinfo, int argno)
{
	KamTopState *t = (KamTopState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(argno));

	if (t->version != TOP_LAYOUT_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("kam.top_state value of stored layout %d, written by a later kam", t->version),
				 errhint("Update kam (ALTER EXTENSION kam UPDATE after installing the newer version).")));
	return t;
}

/*
 * Argument 0 of the transition and combine functions, to be updated: in
 * place inside an aggregate, else a copy (the function was called directly)
 */
static KamTopState *
top_state_writable(FunctionCallInfo fcinfo)
{
	KamTopState *t = top_state_arg(fcinfo, 0);

	if (AggCheckCallContext(fcinfo, NULL) && (Pointer) t == DatumGetPointer(PG_GETARG_DATUM(0)))
		return t;
	return memcpy(palloc(VARSIZE(t)), t, VARSIZE(t));
}

static void
top_state_check_n(const KamTopState *t, int64 k)
{
	if (t->k != k)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("n must be the same on every row"),
				 errdetail("Values " INT64_FORMAT " and " INT64_FORMAT ".", t->k, k)));
}

/* the total must stay finite: an overflow is 22003, never a stored Infinity */
static void
top_state_check_total(const KamTopState *t)
{
	if (unlikely(!isfinite(t->total + t->comp)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("kam.top_share: the total revenue is out of range")));
}

PG_FUNCTION_INFO_V1(kam_top_sfunc_state);
Datum
kam_top_sfunc_state(PG_FUNCTION_ARGS)
{
	KamTopState *t;
	KamSum		total;
	double		x;
	int64		k;

	KAM_AGG_SKIP_NULL(1, 2);
	x = kam_money_arg(fcinfo, 1);
	k = check_top_n(PG_GETARG_INT64(2));
	kam_check_money(x, "revenue");
	t = PG_ARGISNULL(0) ? top_state_alloc(k, Min(k, 8)) : top_state_writable(fcinfo);
	top_state_check_n(t, k);
	if (t->size < k)
		t = top_state_reserve(t, t->size + 1);
	t->rows++;
	total.sum = t->total;
	total.comp = t->comp;
	kam_sum_add(&total, x);
	t->total = total.sum;
	t->comp = total.comp;
	top_state_check_total(t);
	top_heap_push(t->v, &t->size, k, x + 0.0);
	PG_RETURN_POINTER(t);
}

PG_FUNCTION_INFO_V1(kam_top_combine_state);
Datum
kam_top_combine_state(PG_FUNCTION_ARGS)
{
	KamTopState *t,
			   *o;
	KamSum		total,
				other;

	KAM_AGG_SKIP_NULL(1, 1);
	o = top_state_arg(fcinfo, 1);
	if (PG_ARGISNULL(0))
	{
		/* a copy: the second state belongs to the caller */
		t = top_state_alloc(o->k, Max(o->size, 1));
		memcpy(t, o, offsetof(KamTopState, v) + o->size * sizeof(double));
		SET_VARSIZE(t, TOP_STATE_BYTES(Max(o->size, 1)));
		PG_RETURN_POINTER(t);
	}
	t = top_state_writable(fcinfo);
	top_state_check_n(t, o->k);
	t = top_state_reserve(t, Min(t->k, t->size + o->size));
	t->rows += o->rows;
	total.sum = t->total;
	total.comp = t->comp;
	other.sum = o->total;
	other.comp = o->comp;
	kam_sum_merge(&total, &other);
	t->total = total.sum;
	t->comp = total.comp;
	top_state_check_total(t);
	for (int64 i = 0; i < o->size; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		top_heap_push(t->v, &t->size, t->k, o->v[i]);
	}
	PG_RETURN_POINTER(t);
}

/* the values kept, in ascending order (a palloc'd copy) */
static double *
top_state_sorted(const KamTopState *t)
{
	double	   *v = palloc(Max(t->size, 1) * sizeof(double));

	memcpy(v, t->v, t->size * sizeof(double));
	qsort(v, t->size, sizeof(double), cmp_double);
	return v;
}

PG_FUNCTION_INFO_V1(kam_top_final_state);
Datum
kam_top_final_state(PG_FUNCTION_ARGS)
{
	KamTopState *t;
	KamSum		top = {0, 0};
	double		total;
	double	   *v;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	t = top_state_arg(fcinfo, 0);
	total = t->total + t->comp;
	if (t->rows == 0 || total == 0)
		PG_RETURN_NULL();

	/*
	 * summed in ascending order: the result does not depend on the heap's
	 * layout
	 */
	v = top_state_sorted(t);
	for (int64 i = 0; i < t->size; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		kam_sum_add(&top, v[i]);
	}
	PG_RETURN_FLOAT8(Min(kam_sum_value(&top) / total, 1.0));
}

/* why (rows, k, total, the values in ascending order) is not a kam.top_state, or NULL */
static const char *
top_state_invalid(int64 rows, int64 k, double total, const double *v, int64 size)
{
	if (rows < 0 || rows > (int64) KAM_MAX_COUNT)
		return "rows must be a whole count from 0 to 2^52 - 1.";
	if (k < 1)
		return "n must be at least 1.";
	if (size > k || size > rows)
		return "top must hold at most n values and at most rows values.";
	if (size < Min(k, rows))
		return "top must hold the n largest values: min(n, rows) of them.";
	if (!isfinite(total) || total < 0)
		return "total must be finite and non-negative.";
	for (int64 i = 0; i < size; i++)
	{
		if (!isfinite(v[i]) || v[i] < 0)
			return "the values must be finite and non-negative.";
		if (i > 0 && v[i] < v[i - 1])
			return "the values must be in ascending order.";
	}
	return NULL;
}

static KamTopState *
top_state_make(int64 rows, int64 k, double total, const double *v, int64 size)
{
	KamTopState *t = top_state_alloc(k, Max(size, 1));

	t->rows = rows;
	t->total = total;
	t->size = size;
	memcpy(t->v, v, size * sizeof(double));
	return t;
}

static KAM_NORETURN void top_state_syntax_error(const char *input);

static void
top_state_syntax_error(const char *input)
{
	kam_syntax_error("kam.top_state", input, "Expected (rows=...,n=...,total=...,top={...}).", NULL);
}

/* a whole number of the text form, at p: advances p */
static int64
top_parse_int(const char **p, const char *input)
{
	char	   *end;
	long long	v;

	errno = 0;
	v = strtoll(*p, &end, 10);
	if (end == *p || errno != 0)
		top_state_syntax_error(input);
	*p = end;
	return (int64) v;
}

static const char *
top_expect(const char *p, const char *what, const char *input)
{
	p = kam_skip_space(p);
	if (strncmp(p, what, strlen(what)) != 0)
		top_state_syntax_error(input);
	return kam_skip_space(p + strlen(what));
}

PG_FUNCTION_INFO_V1(kam_top_state_in);
Datum
kam_top_state_in(PG_FUNCTION_ARGS)
{
	const char *input = PG_GETARG_CSTRING(0);
	const char *p = input;
	const char *why;
	char	   *end;
	int64		rows,
				k,
				size = 0,
				cap = 8;
	double		total;
	double	   *v;

	p = top_expect(p, "(", input);
	p = top_expect(p, "rows=", input);
	rows = top_parse_int(&p, input);
	p = top_expect(p, ",", input);
	p = top_expect(p, "n=", input);
	k = top_parse_int(&p, input);
	p = top_expect(p, ",", input);
	p = top_expect(p, "total=", input);
	total = strtod(p, &end);
	if (end == p)
		top_state_syntax_error(input);
	p = top_expect(end, ",", input);
	p = top_expect(p, "top={", input);
	v = palloc(cap * sizeof(double));
	if (*p != '}')
	{
		for (;;)
		{
			if (size == cap)
			{
				if (cap >= TOP_MAX_VALUES)
					top_state_alloc(k, cap + 1);	/* the error */
				cap *= 2;
				v = kam_realloc_large(v, cap * sizeof(double), size * sizeof(double));
			}
			v[size] = strtod(p, &end);
			if (end == p)
				top_state_syntax_error(input);
			size++;
			p = kam_skip_space(end);
			if (*p == '}')
				break;
			p = top_expect(p, ",", input);
		}
	}
	p = top_expect(p + 1, ")", input);
	if (*p != '\0')
		top_state_syntax_error(input);
	why = top_state_invalid(rows, k, total, v, size);
	if (why)
		kam_syntax_error("kam.top_state", input, why, NULL);
	PG_RETURN_POINTER(top_state_make(rows, k, total, v, size));
}

PG_FUNCTION_INFO_V1(kam_top_state_out);
Datum
kam_top_state_out(PG_FUNCTION_ARGS)
{
	KamTopState *t = top_state_arg(fcinfo, 0);
	double	   *v = top_state_sorted(t);
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "(rows=" INT64_FORMAT ",n=" INT64_FORMAT ",total=", t->rows, t->k);
	kam_append_double(&buf, t->total + t->comp);
	appendStringInfoString(&buf, ",top={");
	for (int64 i = 0; i < t->size; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (i > 0)
			appendStringInfoChar(&buf, ',');
		kam_append_double(&buf, v[i]);
	}
	appendStringInfoString(&buf, "})");
	PG_RETURN_CSTRING(buf.data);
}

/* binary form: the format version byte, rows, n, total, the count of values, the values ascending */
PG_FUNCTION_INFO_V1(kam_top_state_send);
Datum
kam_top_state_send(PG_FUNCTION_ARGS)
{
	KamTopState *t = top_state_arg(fcinfo, 0);
	double	   *v = top_state_sorted(t);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, TOP_BINARY_VERSION);
	pq_sendint64(&buf, t->rows);
	pq_sendint64(&buf, t->k);
	pq_sendfloat8(&buf, t->total + t->comp);
	pq_sendint64(&buf, t->size);
	for (int64 i = 0; i < t->size; i++)
		pq_sendfloat8(&buf, v[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(kam_top_state_recv);
Datum
kam_top_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int64		rows,
				k,
				size;
	double		total;
	double	   *v;
	const char *why;

	kam_check_binary_version(buf, "kam.top_state", TOP_BINARY_VERSION);
	rows = pq_getmsgint64(buf);
	k = pq_getmsgint64(buf);
	total = pq_getmsgfloat8(buf);
	size = pq_getmsgint64(buf);
	if (size < 0 || size > (buf->len - buf->cursor) / (int) sizeof(double))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external kam.top_state value"),
				 errdetail("It announces " INT64_FORMAT " values in %d bytes.", size, buf->len - buf->cursor)));
	v = palloc(Max(size, 1) * sizeof(double));
	for (int64 i = 0; i < size; i++)
		v[i] = pq_getmsgfloat8(buf);
	why = top_state_invalid(rows, k, total, v, size);
	if (why)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external kam.top_state value"),
				 errdetail("%s", why)));
	PG_RETURN_POINTER(top_state_make(rows, k, total, v, size));
}

/* ---------- kam.abc_class: window function ---------- */

typedef struct AbcPartition
{
	bool		ready;
	int64		n;				/* non-NULL values */
	double	   *desc;			/* values, descending */
	double	   *above;			/* above[i]: sum of desc[0..i-1] */
	double		total;
} AbcPartition;

static void
abc_load(WindowObject winobj, AbcPartition *p)
{
	int64		rows = WinGetPartitionRowCount(winobj);
	MemoryContext ctx = GetMemoryChunkContext(p);
	KamSum		run = {0, 0};

	p->desc = kam_alloc_large(ctx, Max(rows, 1) * sizeof(double), 0);
	p->above = kam_alloc_large(ctx, (Max(rows, 1) + 1) * sizeof(double), 0);
	p->n = 0;
	for (int64 i = 0; i < rows; i++)
	{
		bool		isnull,
					isout;
		Datum		d = WinGetFuncArgInPartition(winobj, 0, i, WINDOW_SEEK_HEAD, false, &isnull, &isout);

		CHECK_FOR_INTERRUPTS();
		if (isnull || isout)
			continue;
		kam_check_money(DatumGetFloat8(d), "revenue");
		p->desc[p->n++] = DatumGetFloat8(d) + 0.0;
	}
	sort_nonneg(p->desc, p->n, NULL);
	/* reverse to descending */
	for (int64 i = 0, j = p->n - 1; i < j; i++, j--)
	{
		double		tmp = p->desc[i];

		CHECK_FOR_INTERRUPTS();
		p->desc[i] = p->desc[j];
		p->desc[j] = tmp;
	}
	for (int64 i = 0; i < p->n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		p->above[i] = kam_sum_value(&run);
		kam_sum_add(&run, p->desc[i]);
	}
	p->total = kam_sum_value(&run);
	p->ready = true;
}

static double
abc_cut(WindowObject winobj, int nargs, int argno, double dflt, const char *what)
{
	bool		isnull;
	Datum		d;
	double		v;

	if (nargs <= argno)
		return dflt;
	d = WinGetFuncArgCurrent(winobj, argno, &isnull);
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", what)));
	v = DatumGetFloat8(d);
	kam_check_fraction(v, what);
	return v;
}

PG_FUNCTION_INFO_V1(kam_abc_class);
Datum
kam_abc_class(PG_FUNCTION_ARGS)
{
	WindowObject winobj = PG_WINDOW_OBJECT();
	AbcPartition *p = (AbcPartition *) WinGetPartitionLocalMemory(winobj, sizeof(AbcPartition));
	double		a = abc_cut(winobj, PG_NARGS(), 1, 0.8, "a_share");
	double		b = abc_cut(winobj, PG_NARGS(), 2, 0.95, "b_share");
	bool		isnull;
	double		x;
	int64		lo,
				hi;
	double		above;

	if (a > b)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a_share must not be greater than b_share"),
				 errdetail("a_share is %g, b_share is %g.", a, b)));
	if (!p->ready)
		abc_load(winobj, p);
	x = DatumGetFloat8(WinGetFuncArgCurrent(winobj, 0, &isnull));
	if (isnull || p->total == 0)
		PG_RETURN_NULL();
	x += 0.0;
	/* first position of x in the descending array: larger values come before */
	lo = 0;
	hi = p->n;
	while (lo < hi)
	{
		int64		mid = lo + (hi - lo) / 2;

		if (p->desc[mid] > x)
			lo = mid + 1;
		else
			hi = mid;
	}
	above = p->above[lo] / p->total;
	PG_RETURN_TEXT_P(cstring_to_text(above < a ? "A" : (above < b ? "B" : "C")));
}
