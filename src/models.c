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
	{
		for (int i = 0; i < def->k; i++)
		{
			double		se = v[def->k + 2 + i];

			if (!(isnan(se) || (isfinite(se) && se >= 0)))
				return "The standard errors must be finite and not negative, or NaN.";
		}
		for (int i = 2 * def->k + 2; i < def->vt.nfields; i++)
			if (!(isnan(v[i]) || (v[i] >= -1 && v[i] <= 1)))
				return "The correlations must be between -1 and 1, or NaN.";
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
 * theta of f and, when cor is not NULL, their correlations cor[k(k-1)/2]
 * (i < j, row by row); NaN where the information is not positive definite.
 * curv: the Hessian and gradient of the last Newton step (kam_minimize_curv),
 * or NULL to evaluate f at theta.
 * The correlations of the parameters equal those of their logarithms to
 * first order (Cov(P) = D Cov(theta) D).
 */
void
kam_model_se(int k, KamObjective f, void *arg, const double *theta, const double *curv, double *se, double *cor)
{
	double		grad[KAM_OPT_MAXK],
				hess[KAM_OPT_MAXK * KAM_OPT_MAXK],
				cov[KAM_OPT_MAXK * KAM_OPT_MAXK];
	bool		ok;

	if (curv)
	{
		memcpy(hess, curv, sizeof(double) * k * k);
		memcpy(grad, curv + k * k, sizeof(double) * k);
	}
	else
		f(theta, arg, grad, hess);
	for (int i = 0; i < k; i++)
		hess[i * k + i] -= grad[i];
	ok = kam_inverse(k, hess, cov);
	for (int i = 0; i < k; i++)
		if (!(cov[i * k + i] > 0 && isfinite(cov[i * k + i])))
			ok = false;
	for (int i = 0; i < k; i++)
		se[i] = ok ? exp(theta[i]) * sqrt(cov[i * k + i]) : NAN;
	if (cor)
		for (int i = 0, c = 0; i < k; i++)
			for (int j = i + 1; j < k; j++, c++)
				cor[c] = ok ? fmax(-1, fmin(1, cov[i * k + j] / sqrt(cov[i * k + i] * cov[j * k + j]))) : NAN;
}

/*
 * The model at the optimum theta (ln of the parameters) of the objective f
 * with value fval over n customers, with its standard errors when the type
 * carries them.
 */
double *
kam_model_fitted(const KamModelDef *def, KamObjective f, void *arg, const double *theta, const double *curv,
				 double fval, double n)
{
	int			k = def->k;
	double	   *v = palloc(model_size(def));

	for (int i = 0; i < k; i++)
		v[i] = exp(theta[i]);
	v[k] = -fval;
	v[k + 1] = n;
	if (def->has_se)
		kam_model_se(k, f, arg, theta, curv, v + k + 2, v + 2 * k + 2);
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

/*
 * The delta-method interval of the prediction g at the model v (g gets a
 * copy of the model's doubles with the parameters moved): the
 * gradient of g (or of ln g, or of logit g, per scale) in the parameters
 * by central differences (steps of 10^-6 of each parameter), its variance
 * grad' Cov grad with Cov from the standard errors and correlations, and
 * estimate -+ z sd on that scale, back-transformed: a kam.confidence_interval.
 * A model without standard errors (built from parameters) gives NULL bounds;
 * a prediction that does not exist, NULL.
 */
Datum
kam_model_interval(FunctionCallInfo fcinfo, const KamModelDef *def, const double *v,
				   KamPrediction g, const void *arg, double confidence, KamScale scale)
{
	int			k = def->k;
	double		est = g(v, arg),
				grad[KAM_OPT_MAXK],
				var = 0,
				z,
				e,
				sd;

	kam_check_confidence(confidence);
	Assert(def->has_se);
	/* a prediction that does not exist (NaN) is NULL, as its point form */
	if (isnan(est))
		PG_RETURN_NULL();
	if (!isfinite(est))
		return kam_interval_datum(fcinfo, est, NAN, NAN);
	for (int i = 0; i < k; i++)
		if (isnan(v[k + 2 + i]))
			return kam_interval_datum(fcinfo, est, NAN, NAN);
	for (int i = 0; i < k; i++)
	{
		double		p[KAM_MODEL_MAXFIELDS],
					h = 1e-6 * v[i],
					up,
					down;

		memcpy(p, v, def->vt.nfields * sizeof(double));
		p[i] = v[i] + h;
		up = g(p, arg);
		p[i] = v[i] - h;
		down = g(p, arg);
		if (scale == KAM_SCALE_LOG)
		{
			up = log(up);
			down = log(down);
		}
		else if (scale == KAM_SCALE_LOGIT)
		{
			up = log(up) - log1p(-up);
			down = log(down) - log1p(-down);
		}
		grad[i] = (up - down) / (2 * h);
	}
	for (int i = 0; i < k; i++)
		for (int j = 0; j < k; j++)
		{
			double		r = i == j ? 1 : v[KAM_MODEL_COR(k, Min(i, j), Max(i, j))];

			var += grad[i] * grad[j] * v[k + 2 + i] * v[k + 2 + j] * r;
		}
	sd = sqrt(fmax(var, 0));
	z = kam_normal_quantile(0.5 + confidence / 2);
	if (!isfinite(sd))
		return kam_interval_datum(fcinfo, est, NAN, NAN);
	switch (scale)
	{
		case KAM_SCALE_LOG:
			if (est == 0)
				return kam_interval_datum(fcinfo, 0, 0, 0);
			if (!(est > 0))
				return kam_interval_datum(fcinfo, est, NAN, NAN);
			return kam_interval_datum(fcinfo, est, est * exp(-z * sd), est * exp(z * sd));
		case KAM_SCALE_LOGIT:
			if (!(est > 0 && est < 1))
				return kam_interval_datum(fcinfo, est, est, est);
			e = log(est) - log1p(-est);
			return kam_interval_datum(fcinfo, est, 1 / (1 + exp(-(e - z * sd))), 1 / (1 + exp(-(e + z * sd))));
		default:
			return kam_interval_datum(fcinfo, est, est - z * sd, est + z * sd);
	}
}

/* the BG/NBD family's checks: a finite non-negative horizon, a valid history */
static void
rfm_default_check(KamRfmQuery *q)
{
	if (q->what != KAM_P_ALIVE)
		kam_check_horizon(q->t);
	if (q->what != KAM_EXPECTED_UNCOND)
		kam_check_rfm(q->x, q->tx, q->T);
}

Datum
kam_rfm_predict(FunctionCallInfo fcinfo, const KamModelDef *def, KamPrediction g, KamRfmCheck check,
				KamRfmWhat what, bool interval)
{
	double	   *v = kam_model_arg(fcinfo, 0, def);
	KamRfmQuery q = {what, 0, 0, 0, 0};
	int			a = 1;
	double		e;

	if (what != KAM_P_ALIVE)
		q.t = PG_GETARG_FLOAT8(a++);
	if (what != KAM_EXPECTED_UNCOND)
	{
		q.x = PG_GETARG_FLOAT8(a++);
		q.tx = PG_GETARG_FLOAT8(a++);
		q.T = PG_GETARG_FLOAT8(a++);
	}
	(check ? check : rfm_default_check) (&q);
	if (interval)
	{
		return kam_model_interval(fcinfo, def, v, g, &q, PG_GETARG_FLOAT8(a),
								  what == KAM_P_ALIVE ? KAM_SCALE_LOGIT : KAM_SCALE_LOG);
	}
	e = g(v, &q);
	if (isnan(e))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(e);
}
