/*-------------------------------------------------------------------------
 *
 * kam.c
 *	  Module entry point and the input checks shared by every kam function.
 *
 *-------------------------------------------------------------------------
 */
#include "kam.h"

#include "utils/builtins.h"

PG_MODULE_MAGIC;

/*
 * MRR must be a finite, non-negative amount.  `what` names the argument in
 * the message ("start_mrr", "mrr", ...).
 */
void
kam_check_mrr(double mrr, const char *what)
{
	if (unlikely(isnan(mrr) || isinf(mrr)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s must be a finite amount", what),
				 errdetail("Value is %s.", isnan(mrr) ? "NaN" :
						   (mrr > 0 ? "Infinity" : "-Infinity"))));
	if (unlikely(mrr < 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative", what),
				 errdetail("Value is %s.",
						   DatumGetCString(DirectFunctionCall1(float8out,
															   Float8GetDatum(mrr))))));
}

/* The window [from, to] must be finite and ordered. */
void
kam_check_window(DateADT from, DateADT to)
{
	if (DATE_NOT_FINITE(from) || DATE_NOT_FINITE(to))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("window dates must be finite"),
				 errdetail("from is %s, to is %s.",
						   kam_date_str(from),
						   kam_date_str(to))));
	if (from > to)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("window start is after window end"),
				 errdetail("from is %s, to is %s.",
						   kam_date_str(from),
						   kam_date_str(to))));
}

/* A date as text, for error details. */
const char *
kam_date_str(DateADT d)
{
	return DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(d)));
}
