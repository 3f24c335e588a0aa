/*-------------------------------------------------------------------------
 *
 * calendar.c
 *	  The calendar every family shares: units and grains (day, week, month,
 *	  quarter, year), the start of a date's period (ISO weeks start on
 *	  Monday), adding units (month ends clamped, as date + interval).
 *
 *-------------------------------------------------------------------------
 */
#include "kam.h"

#include "utils/builtins.h"
#include "utils/datetime.h"

/* ---------- billing units and grains ---------- */

const char *const kam_unit_names[] = {"day", "week", "month", "quarter", "year"};

/* monthly factor of each unit as num / den: day 365/12, week 52/12, month 1, quarter 1/3, year 1/12 */
const int	kam_unit_num[] = {365, 52, 1, 1, 1};
const int	kam_unit_den[] = {12, 12, 1, 3, 12};

KamUnit
kam_unit_of(text *t, const char *what)
{
	char	   *s = text_to_cstring(t);

	for (int i = 0; i < (int) KAM_NUNITS; i++)
		if (pg_strcasecmp(s, kam_unit_names[i]) == 0)
			return (KamUnit) i;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown %s \"%s\"", what, s),
			 errhint("Use day, week, month, quarter or year.")));
	pg_unreachable();
}


static DateADT
ymd_date(int y, int m, int d)
{
	return date2j(y, m, d) - POSTGRES_EPOCH_JDATE;
}

/* d plus k months, the day clamped to the month's length (as date + interval) */
DateADT
kam_add_months(DateADT d, int64 k)
{
	int			y,
				m,
				day;
	int64		mm;

	j2date(d + POSTGRES_EPOCH_JDATE, &y, &m, &day);
	mm = (int64) y * 12 + (m - 1) + k;
	if (mm < -4714 * 12 || mm > 5874898 * 12)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("date out of range")));
	y = (int) (mm >= 0 ? mm / 12 : -((-mm + 11) / 12));
	m = (int) (mm - (int64) y * 12) + 1;
	day = Min(day, day_tab[isleap(y)][m - 1]);
	if (!IS_VALID_DATE(ymd_date(y, m, day)))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("date out of range")));
	return ymd_date(y, m, day);
}

/* d plus k units */
DateADT
kam_add_units(DateADT d, KamUnit unit, int64 k)
{
	switch (unit)
	{
		case KAM_UNIT_DAY:
			return d + (DateADT) k;
		case KAM_UNIT_WEEK:
			return d + (DateADT) (7 * k);
		case KAM_UNIT_MONTH:
			return kam_add_months(d, k);
		case KAM_UNIT_QUARTER:
			return kam_add_months(d, 3 * k);
		case KAM_UNIT_YEAR:
			return kam_add_months(d, 12 * k);
	}
	pg_unreachable();
}

/* the start of d's period of the grain (ISO weeks start on Monday) */
DateADT
kam_grain_start(DateADT d, KamUnit grain)
{
	int			y,
				m,
				day;

	j2date(d + POSTGRES_EPOCH_JDATE, &y, &m, &day);
	switch (grain)
	{
		case KAM_UNIT_DAY:
			return d;
		case KAM_UNIT_WEEK:
			return d - (j2day(d + POSTGRES_EPOCH_JDATE) + 6) % 7;
		case KAM_UNIT_MONTH:
			return ymd_date(y, m, 1);
		case KAM_UNIT_QUARTER:
			return ymd_date(y, ((m - 1) / 3) * 3 + 1, 1);
		case KAM_UNIT_YEAR:
			return ymd_date(y, 1, 1);
	}
	pg_unreachable();
}

/* the grain of a grain form's trailing argument `argno`, or -1 when the call has none */
int
kam_grain_arg(FunctionCallInfo fcinfo, int argno)
{
	if (PG_NARGS() <= argno)
		return -1;
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the grain must not be NULL")));
	return (int) kam_unit_of(PG_GETARG_TEXT_PP(argno), "grain");
}
