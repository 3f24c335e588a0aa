/*-------------------------------------------------------------------------
 *
 * symbols.c
 *	  The C entry points of kam 0.1.0 and 0.2.0 under their old names.
 *
 *	  Entry points are named after their SQL functions (kam_<sqlname>,
 *	  kam_<sqlname>_<form> where one SQL name has several C functions, and
 *	  kam_<x>_serial / kam_<x>_deserial like the SQL support functions).  A
 *	  database still at 0.1.0 or 0.2.0 calls the names its catalog holds
 *	  until ALTER EXTENSION kam UPDATE renames them (sql/kam--0.2.0--0.3.0.sql),
 *	  and installing 0.1.0 on the way to 0.3.0 needs them too, so each old
 *	  name stays as a one-line alias of the new one.
 *
 *-------------------------------------------------------------------------
 */
#include "kam.h"

#define KAM_OLD_SYMBOL(old, new) \
	extern Datum new(PG_FUNCTION_ARGS); \
	PG_FUNCTION_INFO_V1(old); \
	Datum old(PG_FUNCTION_ARGS) { return new(fcinfo); }

KAM_OLD_SYMBOL(kam_acct_deserialize, kam_acct_deserial)
KAM_OLD_SYMBOL(kam_acct_serialize, kam_acct_serial)
KAM_OLD_SYMBOL(kam_band_scheme_make, kam_band_scheme)
KAM_OLD_SYMBOL(kam_bgnbd_deserialize, kam_bgnbd_deserial)
KAM_OLD_SYMBOL(kam_bgnbd_make, kam_bgnbd)
KAM_OLD_SYMBOL(kam_bgnbd_serialize, kam_bgnbd_serial)
KAM_OLD_SYMBOL(kam_gg_expected, kam_gammagamma_expected)
KAM_OLD_SYMBOL(kam_gg_final, kam_gammagamma_final)
KAM_OLD_SYMBOL(kam_gg_in, kam_gammagamma_in)
KAM_OLD_SYMBOL(kam_gg_make, kam_gammagamma)
KAM_OLD_SYMBOL(kam_gg_out, kam_gammagamma_out)
KAM_OLD_SYMBOL(kam_gg_param, kam_gammagamma_param)
KAM_OLD_SYMBOL(kam_gg_sfunc, kam_gammagamma_sfunc)
KAM_OLD_SYMBOL(kam_retention_customer_retention, kam_customer_retention_rate)
KAM_OLD_SYMBOL(kam_retention_expansion_rate, kam_expansion_rate)
KAM_OLD_SYMBOL(kam_retention_gross_churn, kam_gross_mrr_churn_rate)
KAM_OLD_SYMBOL(kam_retention_grr, kam_grr)
KAM_OLD_SYMBOL(kam_retention_logo_churn, kam_logo_churn_rate)
KAM_OLD_SYMBOL(kam_retention_movements, kam_movements)
KAM_OLD_SYMBOL(kam_retention_net_churn, kam_net_mrr_churn_rate)
KAM_OLD_SYMBOL(kam_retention_nrr, kam_nrr)
KAM_OLD_SYMBOL(kam_retention_quick_ratio, kam_quick_ratio)
KAM_OLD_SYMBOL(kam_rfm_deserialize, kam_rfm_deserial)
KAM_OLD_SYMBOL(kam_rfm_serialize, kam_rfm_serial)
KAM_OLD_SYMBOL(kam_scorecard_add, kam_scorecard_sfunc)
KAM_OLD_SYMBOL(kam_scorecard_make, kam_scorecard)
KAM_OLD_SYMBOL(kam_scorecard_merge, kam_scorecard_combine)
KAM_OLD_SYMBOL(kam_sparkline_array, kam_sparkline)
KAM_OLD_SYMBOL(kam_sparkline_deserialize, kam_sparkline_deserial)
KAM_OLD_SYMBOL(kam_sparkline_serialize, kam_sparkline_serial)
KAM_OLD_SYMBOL(kam_survey_csat, kam_csat)
KAM_OLD_SYMBOL(kam_survey_mean, kam_ces)
KAM_OLD_SYMBOL(kam_survey_nps, kam_nps)
KAM_OLD_SYMBOL(kam_survey_nps_interval, kam_nps_interval)
KAM_OLD_SYMBOL(kam_survey_responses, kam_responses)
KAM_OLD_SYMBOL(kam_survival_deserialize, kam_survival_deserial)
KAM_OLD_SYMBOL(kam_survival_median, kam_median_lifetime)
KAM_OLD_SYMBOL(kam_survival_serialize, kam_survival_serial)
KAM_OLD_SYMBOL(kam_top_deserialize, kam_top_deserial)
KAM_OLD_SYMBOL(kam_top_serialize, kam_top_serial)
KAM_OLD_SYMBOL(kam_trend_count, kam_observations)
KAM_OLD_SYMBOL(kam_trend_direction, kam_direction)
KAM_OLD_SYMBOL(kam_trend_slope, kam_slope)
KAM_OLD_SYMBOL(kam_values_deserialize, kam_values_deserial)
KAM_OLD_SYMBOL(kam_values_serialize, kam_values_serial)
