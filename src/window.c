/*-------------------------------------------------------------------------
 *
 * window.c
 *	  kam.retention_agg over snapshots (one row per account and period) and
 *	  over contract intervals (one row per subscription): per account, the
 *	  MRR at `from` (S), at `to` (E) and whether it paid before `from`; the
 *	  final function classifies each account into a kam.retention.
 *
 *-------------------------------------------------------------------------
 */
#include "kam.h"

#include "miscadmin.h"

static void
check_at(DateADT at, const char *what)
{
	if (DATE_NOT_FINITE(at))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite date", what),
				 errdetail("Value is %s.", DATE_IS_NOBEGIN(at) ? "-infinity" : "infinity")));
}

/*
 * An amount of one row: finite (negative rows are credits: only an
 * account's total must not be negative, which the final function checks).
 */
void
kam_check_row_money(double mrr, const char *what)
{
	if (unlikely(isnan(mrr) || isinf(mrr)))
		kam_check_money(mrr, what); /* reports it */
}

/* A conversion rate: reporting-currency units per unit of the row's currency. */
double
kam_check_rate(double rate)
{
	if (!(rate > 0) || !isfinite(rate))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a rate must be a finite positive number"),
				 errdetail("Value is %g.", rate),
				 errhint("A rate is reporting-currency units per unit of the row's currency on its date.")));
	return rate;
}

/*
 * One account's movement with rates: an account paying at both dates is
 * classified at constant currency (its end MRR converted at its own start
 * rate); what the rates add is its fx movement.  New, reactivated and
 * churned accounts move at their own date's rate.
 */
void
kam_retention_add_fx(KamRetention *r, KamSum *fx, double s, double s_local, double e, double e_local, bool returning)
{
	if (s > 0 && e > 0 && s_local > 0 && e_local > 0)
	{
		double		e_const = s * (e_local / s_local);	/* exactly s when flat */

		kam_retention_add(r, s, e_const, returning);
		kam_sum_add(fx, e - e_const);
	}
	else
		kam_retention_add(r, s, e, returning);
}

/* a date truncated to the grain (-1: as it is) */
static inline DateADT
to_grain(DateADT d, int grain)
{
	return grain < 0 || DATE_NOT_FINITE(d) ? d : kam_grain_start(d, (KamUnit) grain);
}

/*
 * retention_agg(account anyelement, at, mrr, from, to [, grain])
 * Rows at `from` add to S, rows at `to` add to E, rows before `from` with
 * MRR > 0 mark the account as paying before (reactivation, not new).  With
 * a grain, at, from and to are truncated to it first.  Dates may be date,
 * timestamp or timestamptz.
 */
/*
 * The snapshot forms; with a rate (argument rate_arg > 0) each row's MRR is
 * in its own currency and `rate` converts it to the reporting currency.
 */
static Datum
snapshot_sfunc(FunctionCallInfo fcinfo, int rate_arg)
{
	KamAcctState *st;
	DateADT		at,
				from,
				to;
	double		mrr,
				rate = 1;
	int			grain;
	int			w = rate_arg > 0 ? 1 : 0;	/* the window's shift */

	KAM_AGG_SKIP_NULL(1, 5 + w);
	grain = kam_grain_arg(fcinfo, 6 + w);
	at = to_grain(kam_date_arg(fcinfo, 2), grain);
	mrr = kam_money_arg(fcinfo, 3);
	from = to_grain(kam_date_arg(fcinfo, 4 + w), grain);
	to = to_grain(kam_date_arg(fcinfo, 5 + w), grain);
	kam_check_row_money(mrr, "mrr");
	check_at(at, "snapshot date");
	if (rate_arg > 0)
		rate = kam_check_rate(PG_GETARG_FLOAT8(rate_arg));

	st = kam_acct_state_get(fcinfo, KAM_ACCT_WINDOW);
	kam_acct_set_grain(st, grain);
	kam_acct_set_window(st, from, to);
	if (rate_arg > 0)
		kam_acct_set_rates(st);
	if (at == from || at == to)
		kam_acct_mark_seen(st, at == from, at == to);

	if (mrr == 0 || at > to)
		PG_RETURN_POINTER(st);
	if (at == from || at == to)
		kam_acct_window_add(st, PG_GETARG_DATUM(1), at == from, at == to, mrr * rate, mrr);
	else if (at < from && mrr > 0)
		kam_acct_mark_returning(st, PG_GETARG_DATUM(1));
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(kam_retention_snapshot_sfunc);
Datum
kam_retention_snapshot_sfunc(PG_FUNCTION_ARGS)
{
	return snapshot_sfunc(fcinfo, 0);
}

/* retention_agg(account, at, mrr, rate, from, to [, grain]) */
PG_FUNCTION_INFO_V1(kam_retention_snapshot_rate_sfunc);
Datum
kam_retention_snapshot_rate_sfunc(PG_FUNCTION_ARGS)
{
	return snapshot_sfunc(fcinfo, 4);
}

/*
 * retention_agg(account anyelement, valid_from, valid_to, mrr, from, to
 *				 [, grain])
 * A subscription counts at t when valid_from <= t < valid_to (NULL valid_to:
 * open-ended).  One that started before `from` marks the account as paying
 * before.  With a grain, from and to are truncated to it.
 */
PG_FUNCTION_INFO_V1(kam_retention_interval_sfunc);
Datum
kam_retention_interval_sfunc(PG_FUNCTION_ARGS)
{
	KamAcctState *st;
	DateADT		vfrom,
				vto,
				from,
				to;
	bool		open_ended = PG_ARGISNULL(3);
	bool		before,
				at_from,
				at_to;
	double		mrr;
	int			grain;

	/* valid_to (argument 3) may be NULL: open-ended */
	KAM_AGG_SKIP_NULL(1, 2);
	KAM_AGG_SKIP_NULL(4, 6);
	grain = kam_grain_arg(fcinfo, 7);
	vfrom = kam_date_arg(fcinfo, 2);
	vto = open_ended ? DATEVAL_NOEND : kam_date_arg(fcinfo, 3);
	mrr = kam_money_arg(fcinfo, 4);
	from = to_grain(kam_date_arg(fcinfo, 5), grain);
	to = to_grain(kam_date_arg(fcinfo, 6), grain);
	kam_check_row_money(mrr, "mrr");
	if (vto < vfrom)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("valid_to is before valid_from"),
				 errdetail("valid_from is %s, valid_to is %s.",
						   kam_date_str(vfrom),
						   kam_date_str(vto))));

	st = kam_acct_state_get(fcinfo, KAM_ACCT_WINDOW);
	kam_acct_set_grain(st, grain);
	kam_acct_set_window(st, from, to);

	before = vfrom < from;
	at_from = vfrom <= from && from < vto;
	at_to = vfrom <= to && to < vto;
	kam_acct_mark_seen(st, at_from, at_to);

	/*
	 * zero MRR, empty intervals and contracts wholly inside the window add
	 * nothing
	 */
	if (mrr == 0 || vto == vfrom || !(before || at_from || at_to))
		PG_RETURN_POINTER(st);

	if (before && mrr > 0)
		kam_acct_mark_returning(st, PG_GETARG_DATUM(1));
	if (!at_from && !at_to)
		PG_RETURN_POINTER(st);
	kam_acct_window_add(st, PG_GETARG_DATUM(1), at_from, at_to, mrr, mrr);
	PG_RETURN_POINTER(st);
}

/* an account's total below 0 at a date (kam_account_total) */
void
kam_negative_total(KamAcctState *st, Datum key, double v, DateADT at)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("account %s has a negative MRR total on %s", kam_acct_key_str(st, key), kam_date_str(at)),
			 errdetail("Its rows add up to %g.", v),
			 errhint("Credit lines may lower an account's MRR to 0, not below.")));
}

/* Final function of both forms: classify every account. */
PG_FUNCTION_INFO_V1(kam_retention_window_final);
Datum
kam_retention_window_final(PG_FUNCTION_ARGS)
{
	KamAcctState *st;
	KamRetention *r;
	KamAcct    *a;
	DateADT		from,
				to;
	bool		seen_from,
				seen_to,
				rates;
	KamSum		fx = {0, 0};

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (KamAcctState *) PG_GETARG_POINTER(0);
	rates = kam_acct_rates(st);
	kam_acct_window(st, &from, &to);
	kam_acct_seen(st, &seen_from, &seen_to);
	/* a window date no row has: never a silent zero */
	for (int i = 0; i < 2 && kam_acct_grain(st) < 0; i++)
		if (!(i == 0 ? seen_from : seen_to))
			ereport(WARNING,
					(errcode(ERRCODE_WARNING),
					 errmsg("no row of kam.retention_agg is at %s %s", i == 0 ? "from" : "to",
							kam_date_str(i == 0 ? from : to)),
					 errdetail("Every account has MRR 0 there: %s.",
							   i == 0 ? "nothing starts, and every account is new or reactivated" :
							   "every account churns"),
					 errhint("If the snapshots are dated on other days of the period, give the grain: kam.retention_agg(account, at, mrr, from, to, 'month').")));
	r = palloc0(sizeof(KamRetention));
	kam_acct_iterate_begin(st);
	while ((a = kam_acct_iterate_next(st)) != NULL)
	{
		double		s,
					e;

		CHECK_FOR_INTERRUPTS();
		s = kam_account_total(st, a->key, &a->s, from);
		e = kam_account_total(st, a->key, &a->e, to);
		if (rates)
			kam_retention_add_fx(r, &fx, s, kam_sum_value(&a->s_local), e, kam_sum_value(&a->e_local), a->returning);
		else
			kam_retention_add(r, s, e, a->returning);
	}
	PG_RETURN_DATUM(kam_retention_datum(r, &fx));
}
