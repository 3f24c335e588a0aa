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
 * retention_agg(account anyelement, at date, mrr float8, from date, to date)
 * Rows at `from` add to S, rows at `to` add to E, rows before `from` with
 * MRR > 0 mark the account as paying before (reactivation, not new).
 */
PG_FUNCTION_INFO_V1(kam_retention_snapshot_sfunc);
Datum
kam_retention_snapshot_sfunc(PG_FUNCTION_ARGS)
{
	KamAcctState *st;
	DateADT		at,
				from,
				to;
	double		mrr;

	KAM_AGG_SKIP_NULL(1, 5);
	at = PG_GETARG_DATEADT(2);
	mrr = kam_money_arg(fcinfo, 3);
	from = PG_GETARG_DATEADT(4);
	to = PG_GETARG_DATEADT(5);
	kam_check_money(mrr, "mrr");
	check_at(at, "snapshot date");

	st = kam_acct_state_get(fcinfo, KAM_ACCT_WINDOW, NULL);
	kam_acct_set_window(st, from, to);

	if (mrr == 0 || at > to)
		PG_RETURN_POINTER(st);
	if (at == from || at == to)
	{
		KamAcct    *a = kam_acct_lookup(st, PG_GETARG_DATUM(1));

		if (at == from)
			kam_sum_add(&a->s, mrr);
		if (at == to)
			kam_sum_add(&a->e, mrr);
	}
	else if (at < from)
		kam_acct_lookup(st, PG_GETARG_DATUM(1))->returning = true;
	PG_RETURN_POINTER(st);
}

/*
 * retention_agg(account anyelement, valid_from date, valid_to date,
 *				 mrr float8, from date, to date)
 * A subscription counts at t when valid_from <= t < valid_to (NULL valid_to:
 * open-ended).  One that started before `from` marks the account as paying
 * before.
 */
PG_FUNCTION_INFO_V1(kam_retention_interval_sfunc);
Datum
kam_retention_interval_sfunc(PG_FUNCTION_ARGS)
{
	KamAcctState *st;
	KamAcct    *a;
	DateADT		vfrom,
				vto,
				from,
				to;
	bool		open_ended = PG_ARGISNULL(3);
	bool		before,
				at_from,
				at_to;
	double		mrr;

	/* valid_to (argument 3) may be NULL: open-ended */
	KAM_AGG_SKIP_NULL(1, 2);
	KAM_AGG_SKIP_NULL(4, 6);
	vfrom = PG_GETARG_DATEADT(2);
	vto = open_ended ? DATEVAL_NOEND : PG_GETARG_DATEADT(3);
	mrr = kam_money_arg(fcinfo, 4);
	from = PG_GETARG_DATEADT(5);
	to = PG_GETARG_DATEADT(6);
	kam_check_money(mrr, "mrr");
	if (vto < vfrom)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("valid_to is before valid_from"),
				 errdetail("valid_from is %s, valid_to is %s.",
						   kam_date_str(vfrom),
						   kam_date_str(vto))));

	st = kam_acct_state_get(fcinfo, KAM_ACCT_WINDOW, NULL);
	kam_acct_set_window(st, from, to);

	before = vfrom < from;
	at_from = vfrom <= from && from < vto;
	at_to = vfrom <= to && to < vto;

	/*
	 * zero MRR, empty intervals and contracts wholly inside the window add
	 * nothing
	 */
	if (mrr == 0 || vto == vfrom || !(before || at_from || at_to))
		PG_RETURN_POINTER(st);

	a = kam_acct_lookup(st, PG_GETARG_DATUM(1));
	if (before)
		a->returning = true;
	if (at_from)
		kam_sum_add(&a->s, mrr);
	if (at_to)
		kam_sum_add(&a->e, mrr);
	PG_RETURN_POINTER(st);
}

/* Final function of both forms: classify every account. */
PG_FUNCTION_INFO_V1(kam_retention_window_final);
Datum
kam_retention_window_final(PG_FUNCTION_ARGS)
{
	KamAcctState *st;
	KamRetention *r;
	KamAcct    *a;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (KamAcctState *) PG_GETARG_POINTER(0);
	r = palloc0(sizeof(KamRetention));
	kam_acct_iterate_begin(st);
	while ((a = kam_acct_iterate_next(st)) != NULL)
	{
		CHECK_FOR_INTERRUPTS();
		kam_retention_add(r, kam_sum_value(&a->s), kam_sum_value(&a->e),
						  a->returning);
	}
	PG_RETURN_POINTER(r);
}
