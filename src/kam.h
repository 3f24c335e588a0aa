/*-------------------------------------------------------------------------
 *
 * kam.h
 *	  Shared declarations of the kam extension: compensated money sums,
 *	  the fixed-size kam.retention summary, input validation and the
 *	  per-account hash used by the snapshot, interval, waterfall and cohort
 *	  aggregates.
 *
 *-------------------------------------------------------------------------
 */
#ifndef KAM_H
#define KAM_H

#include "postgres.h"

#include <math.h>

#include "access/tupdesc.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/date.h"

#include "aggstate.h"

/*
 * A function that never returns: PostgreSQL 18 replaced the trailing
 * pg_attribute_noreturn() with pg_noreturn, written before the declaration.
 */
#if PG_VERSION_NUM >= 180000
#define KAM_NORETURN pg_noreturn
#else
#define KAM_NORETURN __attribute__((noreturn))
#endif

/* a hint to fetch the cache line at p (never faults, may do nothing) */
#if defined(__GNUC__) || defined(__clang__)
#define kam_prefetch(p) __builtin_prefetch(p)
#else
#define kam_prefetch(p) ((void) (p))
#endif

/*
 * Two doubles worked on together: a vector register where the compiler has
 * them (GCC and clang), else a pair of scalars.  Each lane is computed as
 * the scalar expression would be (a multiply, then an add), so a loop on
 * pairs gives the bits of the same loop on scalars in half the
 * instructions.
 */
#if defined(__GNUC__) || defined(__clang__)
typedef double KamPair __attribute__((vector_size(2 * sizeof(double))));

static inline KamPair
kam_pair(double a, double b)
{
	KamPair		v = {a, b};

	return v;
}

/* acc + a * b, lane by lane */
static inline KamPair
kam_pair_muladd(KamPair acc, KamPair a, KamPair b)
{
	return acc + a * b;
}

#define kam_pair_get(v, i) ((v)[i])
#else
typedef struct KamPair
{
	double		v[2];
} KamPair;

static inline KamPair
kam_pair(double a, double b)
{
	KamPair		v = {{a, b}};

	return v;
}

static inline KamPair
kam_pair_muladd(KamPair acc, KamPair a, KamPair b)
{
	return kam_pair(acc.v[0] + a.v[0] * b.v[0], acc.v[1] + a.v[1] * b.v[1]);
}

#define kam_pair_get(p, i) ((p).v[i])
#endif

/* the pair at p (two doubles, any double alignment) */
static inline KamPair
kam_pair_load(const double *p)
{
	KamPair		v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * Neumaier (improved Kahan-Babuska) compensated sum.  The value is
 * sum + comp; comp collects the low-order bits that plain addition loses, so
 * a total over millions of money values agrees with sum(numeric) to far
 * below a cent.
 */
typedef struct KamSum
{
	double		sum;
	double		comp;
} KamSum;

static inline void
kam_sum_add(KamSum *s, double x)
{
	double		t = s->sum + x;

	if (fabs(s->sum) >= fabs(x))
		s->comp += (s->sum - t) + x;
	else
		s->comp += (x - t) + s->sum;
	s->sum = t;
}

static inline void
kam_sum_merge(KamSum *a, const KamSum *b)
{
	kam_sum_add(a, b->sum);
	a->comp += b->comp;
}

static inline double
kam_sum_value(const KamSum *s)
{
	return s->sum + s->comp;
}

/*
 * A Neumaier sum kept in two doubles of an array (v[at] the sum, v[at + 1]
 * its compensation): the float8[] states (kam.weighted_mean,
 * kam.renewal_forecast)
 */
static inline void
kam_sum_add_at(double *v, int at, double x)
{
	KamSum		s = {v[at], v[at + 1]};

	kam_sum_add(&s, x);
	v[at] = s.sum;
	v[at + 1] = s.comp;
}

static inline double
kam_sum_value_at(const double *v, int at)
{
	KamSum		s = {v[at], v[at + 1]};

	return kam_sum_value(&s);
}

/*
 * Two money amounts closer than this relative distance are the same amount:
 * it absorbs binary floating-point noise (0.1 + 0.2 versus 0.3) and nothing a
 * ledger could hold (1e-12 of a billion is a thousandth of a cent).
 */
#define KAM_MONEY_REL_EPS 1e-12

/*
 * An account total within this of 0 is 0: amounts that cancel (a credit note
 * against its invoice) leave binary noise far below a millionth of a cent.
 */
#define KAM_MONEY_ZERO 1e-9

static inline bool
kam_money_same(double a, double b)
{
	return fabs(a - b) <= KAM_MONEY_REL_EPS * fmax(fabs(a), fabs(b));
}

/*
 * kam.retention: the fixed-size summary of MRR movements between two dates.
 * Stored as a fixed-length (internallength = sizeof) pass-by-reference type.
 * Contraction and churned are positive amounts (they are subtracted).
 */
typedef struct KamRetention
{
	int64		n_start;		/* accounts with S > 0 */
	int64		n_new;			/* S = 0, E > 0, never paid before */
	int64		n_react;		/* S = 0, E > 0, paid before */
	int64		n_expansion;	/* S > 0, E > S */
	int64		n_contraction;	/* S > 0, 0 < E < S */
	int64		n_churned;		/* S > 0, E = 0 */
	KamSum		starting;
	KamSum		new_mrr;
	KamSum		reactivation;
	KamSum		expansion;
	KamSum		contraction;
	KamSum		churned;
} KamRetention;

#define KAM_RETENTION_NCOLS 14	/* columns written by kam_retention_values, */
#define KAM_RETENTION_NCOLS_FX 15	/* and with the fx amount (0.3.0 on) */

extern void kam_retention_add(KamRetention *r, double s, double e, bool returning);
extern void kam_retention_merge(KamRetention *a, const KamRetention *b);
extern double kam_retention_ending(const KamRetention *r);
extern void kam_retention_values(const KamRetention *r, const KamSum *fx, Datum *values, bool *nulls, int ncols);
extern Datum kam_retention_datum(const KamRetention *r, const KamSum *fx);

/* validation (kam.c) */
extern void kam_check_money(double amount, const char *what);
extern void kam_check_fraction(double v, const char *what);
extern void kam_check_window(DateADT from, DateADT to);
extern const char *kam_date_str(DateADT d);
extern double kam_money_arg(FunctionCallInfo fcinfo, int argno);
extern int	kam_variadic_doubles(FunctionCallInfo fcinfo, int first, const char *what, const char *one,
								 double *stack, bool *nstack, int room, double **v, bool **vnull);
extern Node *kam_simplify_array_call(Node *rawreq, int array_arg, const char *target);
extern DateADT kam_date_arg(FunctionCallInfo fcinfo, int argno);
extern Timestamp kam_local_timestamp(TimestampTz t);
extern DateADT kam_timestamptz_date(TimestampTz t);
extern DateADT kam_timestamp_date(Timestamp ts);
extern Oid	kam_arg_type(FunctionCallInfo fcinfo, int argno);
extern void **kam_call_cache(FunctionCallInfo fcinfo);
extern TupleDesc kam_result_tupdesc(FunctionCallInfo fcinfo);

/* a / b rounded towards minus infinity (b > 0) */
static inline int64
kam_floor_div(int64 a, int64 b)
{
	int64		q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* an array of rows being built (kam_rows_init, kam_rows_add, kam_rows_result) */
typedef struct KamRows
{
	TupleDesc	desc;			/* the rows' descriptor, blessed */
	Oid			elemtype;
	int			n;
	Size		expected;		/* rows the caller expects, 0 unknown */
	Size		len;
	Size		cap;
	char	   *buf;			/* the array being built */
} KamRows;

extern void kam_rows_init(KamRows *r, FunctionCallInfo fcinfo, Size expected);
extern void kam_rows_add(KamRows *r, Datum *values, bool *nulls);
extern Datum kam_rows_result(KamRows *r);
extern void kam_materialize_srf(FunctionCallInfo fcinfo);
extern void kam_append_double(StringInfo buf, double v);
extern KAM_NORETURN void kam_syntax_error(const char *type, const char *input, const char *why, const char *hint);
extern const char *kam_skip_space(const char *p);
extern const char *kam_parse_quoted(const char *p, StringInfo out);
extern void kam_append_quoted(StringInfo buf, const char *s, int len);

/*
 * Summary types whose value is a vector of named doubles, text form
 * "(name=value,...)" (kam.trend, kam.survey, kam.hhi_state,
 * kam.forecast_state, kam.bgnbd, kam.gammagamma).  One descriptor per type
 * drives the text and binary I/O and the checks, so that the text input, the
 * binary input and the aggregates accept exactly the same values: whatever a
 * kam function returns reads back through both inputs, and a dump restores.
 */
typedef const char *(*KamValuesCheck) (const double *v);

typedef struct KamValuesType
{
	const char *name;			/* "kam.trend" */
	const char *const *fields;
	int			nfields;
	int			count_index;	/* a whole count in [0, KAM_MAX_COUNT], or -1 */
	KamValuesCheck check;		/* why v is not a value of the type, or NULL */
} KamValuesType;

/*
 * Counts in stored summaries are int64 (from 0.3.0 on; 0.1.0 and 0.2.0 stored
 * them as whole doubles).  A whole double of at least 1 has exponent bits and
 * an int64 count below 2^52 has none (0 reads the same in both), so a stored
 * count of either release reads right: kam_counts_load.  The text and binary
 * forms print counts as numbers; their inputs take whole numbers below 2^52.
 */
#define KAM_MAX_COUNT 4503599627370495.0	/* 2^52 - 1 */

extern void kam_counts_load(const void *stored, void *work, Size size, uint32 count_mask);
extern void *kam_counts_store(const void *work, void *stored, Size size, uint32 count_mask);

/* binary format version of the named-doubles types (first byte of send) */
#define KAM_VALUES_BINARY_VERSION 1

extern char *kam_values_out(const KamValuesType *t, const double *v);
extern void kam_values_in(const KamValuesType *t, const char *input, double *v);
extern bytea *kam_values_send(const KamValuesType *t, const double *v);
extern void kam_values_recv(const KamValuesType *t, StringInfo buf, double *v);
extern void kam_values_check_result(const KamValuesType *t, const double *v);
extern void kam_check_binary_version(StringInfo buf, const char *type, int version);

/*
 * The calendar (calendar.c): units of billing periods and grains of time.
 */
typedef enum KamUnit
{
	KAM_UNIT_DAY,
	KAM_UNIT_WEEK,
	KAM_UNIT_MONTH,
	KAM_UNIT_QUARTER,
	KAM_UNIT_YEAR
} KamUnit;

#define KAM_NUNITS 5
extern const char *const kam_unit_names[];
extern const int kam_unit_num[];	/* monthly factor num / den of each unit */
extern const int kam_unit_den[];
extern KamUnit kam_unit_of(text *t, const char *what);
extern DateADT kam_add_months(DateADT d, int64 k);
extern DateADT kam_add_units(DateADT d, KamUnit unit, int64 k);
extern DateADT kam_grain_start(DateADT d, KamUnit grain);
extern int	kam_grain_arg(FunctionCallInfo fcinfo, int argno);

/*
 * Weighted scores: missing-value policies (scoring.c); float8 arrays, weights
 * and the weighted mean (stats.c)
 * shared by kam.weighted_score, kam.score and kam.health_score.
 */
typedef enum KamMissing
{
	KAM_MISSING_REDISTRIBUTE,	/* a NULL score drops out, weights renormalise */
	KAM_MISSING_ZERO,			/* a NULL score counts as 0 */
	KAM_MISSING_NULL			/* a NULL score makes the result NULL */
} KamMissing;

extern KamMissing kam_missing_policy(const char *name);
extern KamMissing kam_missing_policy_text(text *name);
extern const char *kam_missing_policy_name(KamMissing policy);
extern int	kam_float8_array(ArrayType *a, const char *what, const double **vals, bool **nulls);
extern void kam_check_weights(int n, const double *w, const bool *wnull);
extern void kam_check_same_length(int n1, int n2, const char *what1, const char *what2);
extern double kam_scale01(double v, double low, double high, int index);
extern bool kam_weighted_mean(int n, const double *s, const bool *snull, const double *w,
							  KamMissing policy, double *result);

/*
 * Minimisation (optim.c).  An objective returns f(theta) and, when grad is
 * not NULL, fills grad[k] and the row-major k x k Hessian hess; it returns
 * a non-finite value outside its domain.
 */
#define KAM_OPT_MAXK 4
#define KAM_OPT_BOUND 30.0		/* |theta| beyond this: no finite optimum */

typedef double (*KamObjective) (const double *theta, void *arg, double *grad, double *hess);

extern bool kam_minimize(KamObjective f, void *arg, int k, double *theta, double *fbest);
extern bool kam_minimize_curv(KamObjective f, void *arg, int k, double *theta, double *fbest, double *curv);

/* the Hessian and gradient of kam_minimize_curv */
#define KAM_OPT_CURV (KAM_OPT_MAXK * KAM_OPT_MAXK + KAM_OPT_MAXK)
extern bool kam_inverse(int k, const double *A, double *inv);
extern Datum kam_model_param(FunctionCallInfo fcinfo, const double *v, const char *const *names, int n, const char *model);
extern void kam_to_log_scale(int k, const double *P, const double *g, const double *h, double *grad, double *hess);
extern double kam_digamma(double x);
extern double kam_normal_quantile(double p);	/* stats.c */
extern void kam_check_confidence(double conf);
extern Datum kam_interval_datum(FunctionCallInfo fcinfo, double estimate, double lower, double upper);
extern double kam_trigamma(double x);

/*
 * Per-account hash (accounts.c).  Accounts are keyed by a value of any type
 * with a default hash opclass; rows are summed per account and period.
 */
typedef struct KamPoint
{
	int32		acct;			/* the account's dense number */
	DateADT		at;
	double		mrr;
} KamPoint;

/* a point of the rate forms: the MRR also in the row's own currency */
typedef struct KamPointFx
{
	KamPoint	p;
	double		local;
} KamPointFx;

/* an account's S and E (the window kind), and in the rate forms its local ones */
typedef struct KamAcctSums
{
	KamSum		s;				/* MRR at `from` */
	KamSum		e;				/* MRR at `to` */
} KamAcctSums;

/* one account of the window kind, as kam_acct_iterate_next gives it */
typedef struct KamAcct
{
	Datum		key;
	bool		returning;		/* paid at some time before `from` */
	KamSum		s;				/* MRR at `from` */
	KamSum		e;				/* MRR at `to` */
	KamSum		s_local;		/* the rate forms: the same in each row's own */
	KamSum		e_local;		/* currency (s and e are then converted) */
} KamAcct;

/*
 * A history's points grouped by account, read through kam_history_account:
 * each account's sorted by date, one per date (records: by date and value,
 * those of one lifetime within a state joined), `stride` bytes apart:
 * KamPoint, or KamPointFx in the rate forms.  Either all in the state's
 * own array (account i's at offsets[i] .. offsets[i + 1] - 1 of points),
 * or, from partial states received packed, merged one account at a time as
 * they are read (merge), so that the leader never holds the merged history.
 */
typedef struct KamHistMerge KamHistMerge;

typedef struct KamHistory
{
	int32		naccts;
	Size	   *offsets;
	char	   *points;
	Size		stride;
	KamHistMerge *merge;
} KamHistory;

/* point j of a run of points kam_history_account gave */
static inline const KamPoint *
kam_run_point(const KamHistory *h, const char *run, int j)
{
	return (const KamPoint *) (run + (Size) j * h->stride);
}

/* its MRR in the row's own currency (the rate forms; else its MRR) */
static inline double
kam_run_local(const KamHistory *h, const char *run, int j)
{
	const KamPoint *p = kam_run_point(h, run, j);

	return h->stride == sizeof(KamPointFx) ? ((const KamPointFx *) p)->local : p->mrr;
}

typedef enum KamAcctKind
{
	KAM_ACCT_WINDOW,			/* S, E and returning per account */
	KAM_ACCT_HISTORY			/* every (period, mrr) point per account */
} KamAcctKind;

typedef struct KamAcctState KamAcctState;

extern KamAcctState *kam_acct_state_get(FunctionCallInfo fcinfo, KamAcctKind kind);
extern void kam_acct_window_add(KamAcctState *st, Datum key, bool at_from, bool at_to,
								double mrr, double local);
extern void kam_acct_mark_returning(KamAcctState *st, Datum key);
extern int32 kam_acct_id(KamAcctState *st, Datum key);
extern void kam_acct_add_point(KamAcctState *st, int32 id, DateADT at, double mrr);
extern void kam_acct_add_row(KamAcctState *st, Datum key, DateADT at, double mrr, double local);
extern void kam_acct_add_point_local(KamAcctState *st, int32 id, DateADT at, double mrr, double local);
extern void kam_acct_set_rates(KamAcctState *st);
extern bool kam_acct_rates(KamAcctState *st);
extern void kam_history_group(KamAcctState *st, KamHistory *h);
extern void kam_history_open(KamAcctState *st, KamHistory *h);
extern const char *kam_history_account(KamHistory *h, int32 acct, int *n);
extern Datum kam_history_key(KamAcctState *st, KamHistory *h, int32 acct);
extern void kam_history_each_date(KamHistory *h, void (*fn) (void *arg, DateADT at), void *arg);

extern void kam_acct_set_window(KamAcctState *st, DateADT from, DateADT to);
extern void kam_acct_window(KamAcctState *st, DateADT *from, DateADT *to);
extern void kam_acct_set_grain(KamAcctState *st, int grain);
extern int	kam_acct_grain(KamAcctState *st);
extern void kam_acct_set_deltas(KamAcctState *st);
extern void kam_acct_set_lifetimes(KamAcctState *st, DateADT as_of, int32 gap);

/*
 * A contract that starts at `start` continues a lifetime whose latest end
 * so far is `end` (a date, DATEVAL_NOEND when open: the largest, so any
 * start continues it), `gap` days allowed between them.
 */
static inline bool
kam_lifetime_continues(int64 start, double end, int64 gap)
{
	return start <= (int64) end + gap;
}
extern bool kam_acct_deltas(KamAcctState *st);
extern bool kam_acct_has_window(KamAcctState *st);
extern Datum kam_acct_key(KamAcctState *st, int32 i);
extern Oid	kam_acct_keytype(KamAcctState *st);
extern void kam_acct_mark_seen(KamAcctState *st, bool from, bool to);
extern void kam_acct_seen(KamAcctState *st, bool *from, bool *to);
extern char *kam_acct_key_str(KamAcctState *st, Datum key);
extern void kam_acct_set_settings(KamAcctState *st, const char *what, const void *bytes, int32 len);
extern const void *kam_acct_settings(KamAcctState *st, int32 *len);
extern void kam_check_row_money(double mrr, const char *what);
extern double kam_check_rate(double rate);
extern void kam_retention_add_fx(KamRetention *r, KamSum *fx, double s, double s_local, double e, double e_local,
								 bool returning);
extern KAM_NORETURN void kam_negative_total(KamAcctState *st, Datum key, double v, DateADT at);

/*
 * An account's total at a date: a credit may take it to 0, not below (else
 * kam_negative_total's error).  Totals within KAM_MONEY_ZERO of 0 are 0
 * (binary noise of amounts that cancel).  Inline: the histories' finals ask
 * it for every account and period.
 */
static inline double
kam_account_total(KamAcctState *st, Datum key, const KamSum *sum, DateADT at)
{
	double		v = kam_sum_value(sum);

	if (v <= -KAM_MONEY_ZERO)
		kam_negative_total(st, key, v, at);
	return v < KAM_MONEY_ZERO ? 0 : v;
}
extern void kam_acct_iterate_begin(KamAcctState *st);
extern KamAcct *kam_acct_iterate_next(KamAcctState *st);

#endif							/* KAM_H */
