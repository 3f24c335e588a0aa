/*-------------------------------------------------------------------------
 *
 * ltv.c
 *	  Formula lifetime value and CAC payback (docs/ltv.md).
 *
 *	  kam.ltv(arpa, gross_margin, churn_rate)      = arpa * margin / churn
 *	  kam.ltv(arpa, gross_margin, churn_rate, d)   = m * r / (1 + d - r),
 *		  m = arpa * margin, r = 1 - churn (Gupta & Lehmann)
 *	  kam.cac_payback(cac, arpa, gross_margin)     = cac / (arpa * margin)
 *
 *	  All rates per the same period as arpa.  A zero denominator gives NULL.
 *
 *-------------------------------------------------------------------------
 */
#include "kam.h"

PG_FUNCTION_INFO_V1(kam_ltv);
Datum
kam_ltv(PG_FUNCTION_ARGS)
{
	double		arpa = PG_GETARG_FLOAT8(0);
	double		margin = PG_GETARG_FLOAT8(1);
	double		churn = PG_GETARG_FLOAT8(2);
	double		m;

	kam_check_money(arpa, "arpa");
	kam_check_fraction(margin, "gross_margin");
	kam_check_fraction(churn, "churn_rate");
	m = arpa * margin;
	if (PG_NARGS() == 3)
	{
		if (churn == 0)
			PG_RETURN_NULL();
		PG_RETURN_FLOAT8(m / churn);
	}
	else
	{
		double		d = PG_GETARG_FLOAT8(3);

		if (isnan(d) || isinf(d) || d < 0)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("discount_rate must be a finite non-negative rate"),
					 errdetail("Value is %g.", d)));

		/*
		 * m * r / (1 + d - r) with r = 1 - churn: the denominator is d +
		 * churn
		 */
		if (d + churn == 0)
			PG_RETURN_NULL();
		PG_RETURN_FLOAT8(m * (1 - churn) / (d + churn));
	}
}

PG_FUNCTION_INFO_V1(kam_cac_payback);
Datum
kam_cac_payback(PG_FUNCTION_ARGS)
{
	double		cac = PG_GETARG_FLOAT8(0);
	double		arpa = PG_GETARG_FLOAT8(1);
	double		margin = PG_GETARG_FLOAT8(2);

	kam_check_money(cac, "cac");
	kam_check_money(arpa, "arpa");
	kam_check_fraction(margin, "gross_margin");
	if (arpa * margin == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(cac / (arpa * margin));
}
