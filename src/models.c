/*-------------------------------------------------------------------------
 *
 * models.c
 *	  The model types shared by every fitted model (models.h): stored form,
 *	  text and binary I/O, the constructor from parameters, the accessor by
 *	  name and the standard errors of a fit.
 *
 *	  Standard errors come from the inverse of the observed information at
 *	  the optimum.  The fits work on theta = ln P; at the optimum (gradient
 *	  0) the Hessian of -LL in theta is D I D with D = diag(P) and I the
 *	  information in P, so Cov(P) = D H^-1 D and se(P_i) = P_i sqrt(H^-1_ii)
 *	  (the small diagonal term P_i g_i a not-quite-zero gradient adds is
 *	  taken out first).  A Hessian that is not positive definite (a
 *	  parameter the data do not identify) gives NaN standard errors, which
 *	  the accessors return as NULL.
 *
 *-------------------------------------------------------------------------
 */
#include "models.h"

#include "utils/builtins.h"

/* "r, alpha, a and b" */
static char *
param_list(const KamModelDef *def)
{
	StringInfoData s;

	initStringInfo(&s);
	for (int i = 0; i < def->k; i++)
		appendStringInfo(&s, "%s%s", i == 0 ? "" : (i == def->k - 1 ? " and " : ", "), def->vt.fields[i]);
	return s.data;
}

/* why v is not a value of the model type (NULL: it is one) */
const char *
kam_model_invalid(const KamModelDef *def, const double *v)
{
	for (int i = 0; i < def->k; i++)
		if (!(isfinite(v[i]) && v[i] > 0))
			return psprintf("%s must be finite and positive.", param_list(def));
	if (isinf(v[def->k]))
		return "ll must be finite or NaN.";
	if (def->has_se)
		for (int i = 0; i < def->k; i++)
		{
			double		se = v[def->k + 2 + i];

			if (!(isnan(se) || (isfinite(se) && se >= 0)))
				return "The standard errors must be finite and not negative, or NaN.";
		}
	return NULL;
}

static Size
model_size(const KamModelDef *def)
{
	Assert(def->vt.nfields == KAM_MODEL_NFIELDS(def->k, def->has_se));
	Assert(def->vt.count_index == def->k + 1);
	return def->vt.nfields * sizeof(double);
}

/* the model in argument argno as doubles (its stored count n read as int64) */
double *
kam_model_arg(FunctionCallInfo fcinfo, int argno, const KamModelDef *def)
{
	double	   *v = palloc(model_size(def));

	kam_counts_load(PG_GETARG_POINTER(argno), v, model_size(def), 1U << (def->k + 1));
	return v;
}

Datum
kam_model_datum(const KamModelDef *def, double *v)
{
	return PointerGetDatum(kam_counts_store(v, v, model_size(def), 1U << (def->k + 1)));
}

Datum
kam_model_in(FunctionCallInfo fcinfo, const KamModelDef *def)
{
	double	   *v = palloc(model_size(def));

	kam_values_in(&def->vt, PG_GETARG_CSTRING(0), v);
	return kam_model_datum(def, v);
}

Datum
kam_model_out(FunctionCallInfo fcinfo, const KamModelDef *def)
{
	PG_RETURN_CSTRING(kam_values_out(&def->vt, kam_model_arg(fcinfo, 0, def)));
}

Datum
kam_model_send(FunctionCallInfo fcinfo, const KamModelDef *def)
{
	PG_RETURN_BYTEA_P(kam_values_send(&def->vt, kam_model_arg(fcinfo, 0, def)));
}

Datum
kam_model_recv(FunctionCallInfo fcinfo, const KamModelDef *def)
{
	double	   *v = palloc(model_size(def));

	kam_values_recv(&def->vt, (StringInfo) PG_GETARG_POINTER(0), v);
	return kam_model_datum(def, v);
}

/* kam.<model>(p1, ..., pk): a model from known parameters (ll and standard errors NaN, n 0) */
Datum
kam_model_make(FunctionCallInfo fcinfo, const KamModelDef *def)
{
	double	   *v = palloc(model_size(def));

	for (int i = 0; i < def->vt.nfields; i++)
		v[i] = NAN;
	v[def->k + 1] = 0;
	for (int i = 0; i < def->k; i++)
		v[i] = PG_GETARG_FLOAT8(i);
	for (int i = 0; i < def->k; i++)
		if (!(isfinite(v[i]) && v[i] > 0))
		{
			StringInfoData d;

			initStringInfo(&d);
			for (int j = 0; j < def->k; j++)
				appendStringInfo(&d, "%s%s = %g", j > 0 ? ", " : "", def->vt.fields[j], v[j]);
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s parameters %s must be finite and positive", def->label, param_list(def)),
					 errdetail("%s.", d.data)));
		}
	return kam_model_datum(def, v);
}

/* kam.<model>_param(m, name) */
Datum
kam_model_get(FunctionCallInfo fcinfo, const KamModelDef *def)
{
	return kam_model_param(fcinfo, kam_model_arg(fcinfo, 0, def), def->vt.fields, def->vt.nfields, def->label);
}

/*
 * The standard errors se[k] of the parameters exp(theta) at the optimum
 * theta of f (NaN where the information is not positive definite).
 */
void
kam_model_se(int k, KamObjective f, void *arg, const double *theta, double *se)
{
	double		grad[KAM_OPT_MAXK],
				hess[KAM_OPT_MAXK * KAM_OPT_MAXK],
				cov[KAM_OPT_MAXK * KAM_OPT_MAXK];
	bool		ok;

	f(theta, arg, grad, hess);
	for (int i = 0; i < k; i++)
		hess[i * k + i] -= grad[i];
	ok = kam_inverse(k, hess, cov);
	for (int i = 0; i < k; i++)
		se[i] = ok && cov[i * k + i] > 0 && isfinite(cov[i * k + i]) ?
			exp(theta[i]) * sqrt(cov[i * k + i]) : NAN;
}

/*
 * The model at the optimum theta (ln of the parameters) of the objective f
 * with value fval over n customers, with its standard errors when the type
 * carries them.
 */
double *
kam_model_fitted(const KamModelDef *def, KamObjective f, void *arg, const double *theta, double fval,
				 double n)
{
	int			k = def->k;
	double	   *v = palloc(model_size(def));

	for (int i = 0; i < k; i++)
		v[i] = exp(theta[i]);
	v[k] = -fval;
	v[k + 1] = n;
	if (def->has_se)
		kam_model_se(k, f, arg, theta, v + k + 2);
	for (int i = 0; i <= k; i++)
		if (!isfinite(v[i]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("the %s fit went out of range", def->label)));
	return v;
}

void
kam_rfm_args(FunctionCallInfo fcinfo, int first, double *x, double *tx, double *T)
{
	*x = PG_GETARG_FLOAT8(first);
	*tx = PG_GETARG_FLOAT8(first + 1);
	*T = PG_GETARG_FLOAT8(first + 2);
	kam_check_rfm(*x, *tx, *T);
}
