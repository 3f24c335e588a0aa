/*-------------------------------------------------------------------------
 *
 * bgbb.c
 *	  The beta-geometric/beta-Bernoulli model of discrete-time buying
 *	  (Fader, Hardie & Shang 2010, "Customer-Base Analysis in a
 *	  Discrete-Time Noncontractual Setting"); SPEC section 9, docs/ltv.md.
 *
 *	  kam.bgbb_fit(x, t_x, n [, weight]) -> kam.bgbb (alpha, beta, gamma,
 *	  delta, ll, n and the four standard errors); kam.bgbb(alpha, beta,
 *	  gamma, delta), kam.bgbb_param, kam.bgbb_p_alive,
 *	  kam.bgbb_expected(m, n_star) and (m, n_star, x, t_x, n).
 *
 *	  Over n transaction opportunities a customer buys with probability p
 *	  while alive and dies after each opportunity with probability theta,
 *	  p ~ Beta(alpha, beta) and theta ~ Beta(gamma, delta).  With x
 *	  transactions, the last at opportunity t_x (eq. 5):
 *		L = B(alpha+x, beta+n-x)/B(alpha,beta) B(gamma, delta+n)/B(gamma,delta)
 *		  + sum_{i=0}^{n-t_x-1} B(alpha+x, beta+t_x-x+i)/B(alpha,beta)
 *								B(gamma+1, delta+t_x+i)/B(gamma,delta)
 *	  Each term is a product of beta functions, whose log has a gradient
 *	  and Hessian in digamma and trigamma: the fit runs the damped Newton
 *	  method of optim.c on the analytic derivatives, per distinct
 *	  (x, t_x, n) with its weight.
 *
 *-------------------------------------------------------------------------
 */
#include "models.h"

#include "miscadmin.h"

/* the largest number of opportunities: the likelihood sums n - t_x terms */
#define BGBB_MAX_N 100000

typedef struct KamBgbb
{
	double		alpha;
	double		beta;
	double		gamma;
	double		delta;
	double		ll;
	double		n;
	double		se[4];
	double		cor[6];			/* alpha-beta, alpha-gamma, ..., gamma-delta */
} KamBgbb;

static const char *const bgbb_names[] = {"alpha", "beta", "gamma", "delta", "ll", "n", "alpha_se", "beta_se", "gamma_se", "delta_se", "cor_alpha_beta", "cor_alpha_gamma", "cor_alpha_delta", "cor_beta_gamma", "cor_beta_delta", "cor_gamma_delta"};

StaticAssertDecl(sizeof(KamBgbb) == lengthof(bgbb_names) * sizeof(double), "KamBgbb is its named doubles");

KAM_MODEL_DEFINE(bgbb, bgbb_names, "BG/BB", 4, true)

static double
lbeta(double p, double q)
{
	return lgamma(p) + lgamma(q) - lgamma(p + q);
}

static void
check_bgbb(double x, double tx, double n)
{
	if (!(isfinite(x) && isfinite(tx) && isfinite(n)) || x < 0 || tx < 0 || n < 0 ||
		x != floor(x) || tx != floor(tx) || n != floor(n))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("x, t_x and n must be non-negative whole numbers of opportunities"),
				 errdetail("x is %g, t_x is %g, n is %g.", x, tx, n)));
	if (n > BGBB_MAX_N)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("n is greater than %d opportunities", BGBB_MAX_N),
				 errdetail("n is %g.", n),
				 errhint("Count opportunities in a coarser period.")));
	if (tx > n || x > tx || (x > 0) != (tx > 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a BG/BB history needs x <= t_x <= n, and t_x = 0 exactly when x = 0"),
				 errdetail("x is %g, t_x is %g, n is %g.", x, tx, n)));
}

PG_FUNCTION_INFO_V1(kam_bgbb_sfunc);
Datum
kam_bgbb_sfunc(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = kam_agg_context(fcinfo, "kam_bgbb_sfunc");
	double		x,
				tx,
				n,
				w = 1;

	KAM_AGG_SKIP_NULL(1, 3);
	x = PG_GETARG_FLOAT8(1);
	tx = PG_GETARG_FLOAT8(2);
	n = PG_GETARG_FLOAT8(3);
	check_bgbb(x, tx, n);
	if (PG_NARGS() > 4)
	{
		if (PG_ARGISNULL(4))
			PG_RETURN_POINTER(PG_ARGISNULL(0) ? NULL : PG_GETARG_POINTER(0));
		w = PG_GETARG_FLOAT8(4);
		if (!(isfinite(w) && w >= 0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("weight must be finite and not negative"),
					 errdetail("Value is %g.", w)));
		if (w == 0)
		{
			if (PG_ARGISNULL(0))
				PG_RETURN_NULL();
			PG_RETURN_POINTER(PG_GETARG_POINTER(0));
		}
	}
	PG_RETURN_POINTER(kam_cust_append(fcinfo, aggctx, x, tx, n, w));
}

/*
 * ln of term j of the bracket without the normalisers: ln B(alpha + x,
 * beta + m) + ln B(gamma + c, delta + e); its gradient and Hessian (when g
 * is not NULL) in (alpha, beta, gamma, delta), h the 4 x 4 row-major upper
 * triangle.
 */
static double
bgbb_term(const double *P, double x, double m, double c, double e, double *g, double *h)
{
	double		ab = P[0] + P[1] + x + m,
				gd = P[2] + P[3] + c + e;

	if (g)
	{
		double		tab = kam_trigamma(ab),
					tgd = kam_trigamma(gd),
					dab = kam_digamma(ab),
					dgd = kam_digamma(gd);

		g[0] = kam_digamma(P[0] + x) - dab;
		g[1] = kam_digamma(P[1] + m) - dab;
		g[2] = kam_digamma(P[2] + c) - dgd;
		g[3] = kam_digamma(P[3] + e) - dgd;
		memset(h, 0, 16 * sizeof(double));
		h[0] = kam_trigamma(P[0] + x) - tab;
		h[1] = -tab;
		h[5] = kam_trigamma(P[1] + m) - tab;
		h[10] = kam_trigamma(P[2] + c) - tgd;
		h[11] = -tgd;
		h[15] = kam_trigamma(P[3] + e) - tgd;
	}
	return lbeta(P[0] + x, P[1] + m) + lbeta(P[2] + c, P[3] + e);
}

/*
 * ln of the bracket of one history without the normalisers, with its
 * gradient G and Hessian H (upper triangle) when G is not NULL; *main is ln
 * of the first term (alive through n).
 */
static double
bgbb_bracket(const double *P, double x, double tx, double n, double *G, double *H, double *main)
{
	int			nterms = 1 + (int) (n - tx);
	double	   *L = palloc(nterms * sizeof(double));
	double		Lmax,
				S = 0,
				g[4],
				h[16],
				M[16] = {0};

	for (int j = 0; j < nterms; j++)
		L[j] = j == 0 ? bgbb_term(P, x, n - x, 0, n, NULL, NULL) :
			bgbb_term(P, x, tx - x + j - 1, 1, tx + j - 1, NULL, NULL);
	Lmax = L[0];
	for (int j = 1; j < nterms; j++)
		Lmax = fmax(Lmax, L[j]);
	if (G)
		memset(G, 0, 4 * sizeof(double));
	for (int j = 0; j < nterms; j++)
	{
		double		w = exp(L[j] - Lmax);

		if ((j & 0xFFF) == 0xFFF)
			CHECK_FOR_INTERRUPTS();
		S += w;
		if (!G)
			continue;
		if (j == 0)
			bgbb_term(P, x, n - x, 0, n, g, h);
		else
			bgbb_term(P, x, tx - x + j - 1, 1, tx + j - 1, g, h);
		for (int a = 0; a < 4; a++)
		{
			G[a] += w * g[a];
			for (int b = a; b < 4; b++)
				M[a * 4 + b] += w * (h[a * 4 + b] + g[a] * g[b]);
		}
	}
	if (G)
	{
		for (int a = 0; a < 4; a++)
			G[a] /= S;
		for (int a = 0; a < 4; a++)
			for (int b = a; b < 4; b++)
				H[a * 4 + b] = M[a * 4 + b] / S - G[a] * G[b];
	}
	*main = L[0];
	pfree(L);
	return Lmax + log(S);
}

/* minus the log-likelihood at theta = ln (alpha, beta, gamma, delta) */
static double
bgbb_objective(const double *th, void *arg, double *grad, double *hess)
{
	const BgData *d = arg;
	double		P[4] = {exp(th[0]), exp(th[1]), exp(th[2]), exp(th[3])};
	bool		deriv = grad != NULL;
	double		g[4] = {0},
				h[16] = {0};
	KamSum		ll = {0, 0};
	double		norm;

	for (int i = 0; i < 4; i++)
		if (!(P[i] > 0 && isfinite(P[i])))
			return INFINITY;
	norm = lbeta(P[0], P[1]) + lbeta(P[2], P[3]);
	for (int64 i = 0; i < d->n; i++)
	{
		const BgCust *c = &d->c[i];
		double		G[4],
					H[16],
					main;

		CHECK_FOR_INTERRUPTS();
		kam_sum_add(&ll, c->w * (bgbb_bracket(P, c->x, c->tx, c->T, deriv ? G : NULL, H, &main) - norm));
		if (deriv)
			for (int a = 0; a < 4; a++)
			{
				g[a] += c->w * G[a];
				for (int b = a; b < 4; b++)
					h[a * 4 + b] += c->w * H[a * 4 + b];
			}
	}
	if (!isfinite(kam_sum_value(&ll)))
		return INFINITY;
	if (deriv)
	{
		/* minus the normalisers' derivatives, times the customers */
		double		dab = kam_digamma(P[0] + P[1]),
					dgd = kam_digamma(P[2] + P[3]),
					tab = kam_trigamma(P[0] + P[1]),
					tgd = kam_trigamma(P[2] + P[3]);

		g[0] -= d->total * (kam_digamma(P[0]) - dab);
		g[1] -= d->total * (kam_digamma(P[1]) - dab);
		g[2] -= d->total * (kam_digamma(P[2]) - dgd);
		g[3] -= d->total * (kam_digamma(P[3]) - dgd);
		h[0] -= d->total * (kam_trigamma(P[0]) - tab);
		h[1] += d->total * tab;
		h[5] -= d->total * (kam_trigamma(P[1]) - tab);
		h[10] -= d->total * (kam_trigamma(P[2]) - tgd);
		h[11] += d->total * tgd;
		h[15] -= d->total * (kam_trigamma(P[3]) - tgd);
		kam_to_log_scale(4, P, g, h, grad, hess);
	}
	return -kam_sum_value(&ll);
}

PG_FUNCTION_INFO_V1(kam_bgbb_final);
Datum
kam_bgbb_final(PG_FUNCTION_ARGS)
{
	return kam_cust_fit(fcinfo, bgbb_objective, &bgbb_def, NULL, false, "kam.bgbb_fit", "customers", "(x, t_x, n)",
						"The model needs customers with and without repeat transactions, observed over more than one opportunity.");
}

/* ---------- predictions ---------- */

/* P(alive at opportunity n + 1 | x, t_x, n) (eq. 11) */
static double
bgbb_alive(const KamBgbb *m, double x, double tx, double n, double *lnL)
{
	double		P[4] = {m->alpha, m->beta, m->gamma, m->delta};
	double		main;

	*lnL = bgbb_bracket(P, x, tx, n, NULL, NULL, &main);
	/* B(gamma, delta+n+1) / B(gamma, delta+n) = (delta+n) / (gamma+delta+n) */
	return exp(main - *lnL) * (m->delta + n) / (m->gamma + m->delta + n);
}

static double
check_opportunities(double ns)
{
	if (!(isfinite(ns) && ns >= 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("n_star must be finite and not negative"),
				 errdetail("Value is %g.", ns)));
	return ns;
}

/*
 * (delta+k)/(gamma-1) (1 - G(gamma+delta+k)/G(1+delta+k) G(1+delta+k+ns)/G(gamma+delta+k+ns)):
 * the expected number of the ns opportunities after the k-th at which a
 * customer alive at k + 1 is still alive; its limit
 * (delta+k) (psi(1+delta+k+ns) - psi(1+delta+k)) at gamma = 1.
 */
static double
alive_opportunities(double gamma, double delta, double k, double ns)
{
	if (gamma == 1)
		return (delta + k) * (kam_digamma(1 + delta + k + ns) - kam_digamma(1 + delta + k));
	return (delta + k) / (gamma - 1) *
		-expm1(lgamma(gamma + delta + k) - lgamma(1 + delta + k) +
			   lgamma(1 + delta + k + ns) - lgamma(gamma + delta + k + ns));
}

static void
bgbb_check(KamRfmQuery *q)
{
	if (q->what != KAM_P_ALIVE)
		check_opportunities(q->t);
	if (q->what != KAM_EXPECTED_UNCOND)
		check_bgbb(q->x, q->tx, q->T);
}

/*
 * The predictions (models.h), with n in T and n_star in t:
 * P(alive at n + 1), eq. 11; E[X(n_star)] for a new customer, eq. 7; and
 * E[X(n, n + n_star) | x, t_x, n], eq. 13 rearranged: the first term of
 * the bracket over L (alive through n, buying with p ~ Beta(alpha+x,
 * beta+n-x)), times the mean purchase probability (alpha+x)/(alpha+beta+n),
 * times the expected opportunities alive among the next n_star
 * (alive_opportunities with delta+n for delta; the gamma terms of eq. 13
 * and of B(gamma, delta+n)/B(gamma, delta) cancel to it).
 */
static double
bgbb_predict(const double *v, const void *arg)
{
	const KamBgbb *m = (const KamBgbb *) v;
	const KamRfmQuery *q = arg;
	double		lnL,
				main;

	switch (q->what)
	{
		case KAM_P_ALIVE:
			return bgbb_alive(m, q->x, q->tx, q->T, &lnL);
		case KAM_EXPECTED_UNCOND:
			return m->alpha / (m->alpha + m->beta) * alive_opportunities(m->gamma, m->delta, 0, q->t);
		case KAM_EXPECTED_COND:
			lnL = bgbb_bracket(v, q->x, q->tx, q->T, NULL, NULL, &main);
			return exp(main - lnL) * (m->alpha + q->x) / (m->alpha + m->beta + q->T) *
				alive_opportunities(m->gamma, m->delta, q->T, q->t);
	}
	return NAN;
}

KAM_MODEL_ENTRY(kam_bgbb_p_alive, kam_rfm_predict(fcinfo, &bgbb_def, bgbb_predict, bgbb_check, KAM_P_ALIVE, false))
KAM_MODEL_ENTRY(kam_bgbb_expected_cond, kam_rfm_predict(fcinfo, &bgbb_def, bgbb_predict, bgbb_check, KAM_EXPECTED_COND, false))
KAM_MODEL_ENTRY(kam_bgbb_expected_uncond, kam_rfm_predict(fcinfo, &bgbb_def, bgbb_predict, bgbb_check, KAM_EXPECTED_UNCOND, false))
KAM_MODEL_ENTRY(kam_bgbb_p_alive_interval, kam_rfm_predict(fcinfo, &bgbb_def, bgbb_predict, bgbb_check, KAM_P_ALIVE, true))
KAM_MODEL_ENTRY(kam_bgbb_expected_cond_interval, kam_rfm_predict(fcinfo, &bgbb_def, bgbb_predict, bgbb_check, KAM_EXPECTED_COND, true))
KAM_MODEL_ENTRY(kam_bgbb_expected_uncond_interval, kam_rfm_predict(fcinfo, &bgbb_def, bgbb_predict, bgbb_check, KAM_EXPECTED_UNCOND, true))
