/*-------------------------------------------------------------------------
 *
 * optim.c
 *	  Minimisation for the maximum-likelihood fits (bgnbd.c) and the
 *	  digamma and trigamma functions their derivatives need.
 *
 *	  kam_minimize() runs a damped Newton method (Levenberg-Marquardt on the
 *	  exact Hessian): each step solves (H + mu I) s = -g by Cholesky, mu
 *	  grows until the system is positive definite and the step lowers f,
 *	  and shrinks again after a successful step, so far from the optimum it
 *	  is a short gradient step and near it a full Newton step with quadratic
 *	  convergence.  It stops when the Newton decrement g' H^-1 g is below
 *	  1e-12 of |f|, after a final full step.  The fits take 5-12
 *	  evaluations where Nelder-Mead took hundreds (docs/ltv.md), and a
 *	  likelihood whose supremum lies at infinity (a parameter running to 0
 *	  or infinity) is reported as not converged instead of returning an
 *	  arbitrary far-away point.
 *
 *-------------------------------------------------------------------------
 */
#include "kam.h"

#include <float.h>

#include "miscadmin.h"

/* ---------- special functions ---------- */

/* digamma(x) = d/dx ln Gamma(x), x > 0: recurrence to x >= 10, then its asymptotic series */
double
kam_digamma(double x)
{
	double		acc = 0,
				f;

	while (x < 10)
	{
		acc -= 1 / x;
		x += 1;
	}
	f = 1 / (x * x);
	return acc + log(x) - 0.5 / x
		- f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132)))));
}

/* trigamma(x) = d/dx digamma(x), x > 0 */
double
kam_trigamma(double x)
{
	double		acc = 0,
				f;

	while (x < 10)
	{
		acc += 1 / (x * x);
		x += 1;
	}
	f = 1 / (x * x);
	return acc + 1 / x + f / 2
		+ f / x * (1.0 / 6 - f * (1.0 / 30 - f * (1.0 / 42 - f * (1.0 / 30))));
}

/* ---------- damped Newton ---------- */

/* Solve A s = b for symmetric A (k x k, row-major) by Cholesky; false if A is not positive definite. */
static bool
cholesky_solve(int k, const double *A, const double *b, double *s)
{
	double		L[KAM_OPT_MAXK * KAM_OPT_MAXK];
	double		y[KAM_OPT_MAXK];

	for (int i = 0; i < k; i++)
		for (int j = 0; j <= i; j++)
		{
			double		v = A[i * k + j];

			for (int m = 0; m < j; m++)
				v -= L[i * k + m] * L[j * k + m];
			if (i == j)
			{
				if (!(v > 0) || !isfinite(v))
					return false;
				L[i * k + i] = sqrt(v);
			}
			else
				L[i * k + j] = v / L[j * k + j];
		}
	for (int i = 0; i < k; i++)
	{
		double		v = b[i];

		for (int m = 0; m < i; m++)
			v -= L[i * k + m] * y[m];
		y[i] = v / L[i * k + i];
	}
	for (int i = k - 1; i >= 0; i--)
	{
		double		v = y[i];

		for (int m = i + 1; m < k; m++)
			v -= L[m * k + i] * s[m];
		s[i] = v / L[i * k + i];
	}
	return true;
}

/* inv = A^-1 for symmetric positive definite A (k x k); false if A is not positive definite */
bool
kam_inverse(int k, const double *A, double *inv)
{
	double		e[KAM_OPT_MAXK],
				col[KAM_OPT_MAXK];

	for (int j = 0; j < k; j++)
	{
		for (int i = 0; i < k; i++)
			e[i] = i == j ? 1 : 0;
		if (!cholesky_solve(k, A, e, col))
			return false;
		for (int i = 0; i < k; i++)
			inv[i * k + j] = col[i];
	}
	return true;
}

/* the largest step in any coordinate (the fits use log-parameters: a factor of e^3) */
#define NEWTON_MAX_STEP 3.0
#define NEWTON_MAX_ITER 200

static bool
newton(KamObjective f, void *arg, int k, double *th, double *fbest, double *curv)
{
	double		g[KAM_OPT_MAXK],
				H[KAM_OPT_MAXK * KAM_OPT_MAXK],
				g1[KAM_OPT_MAXK],
				H1[KAM_OPT_MAXK * KAM_OPT_MAXK],
				A[KAM_OPT_MAXK * KAM_OPT_MAXK],
				neg_g[KAM_OPT_MAXK],
				s[KAM_OPT_MAXK],
				th1[KAM_OPT_MAXK];
	double		f0,
				mu = 0;

	f0 = f(th, arg, g, H);
	*fbest = f0;
	if (!isfinite(f0))
		return false;
	for (int it = 0; it < NEWTON_MAX_ITER; it++)
	{
		double		scale = 1,
					dec = 0,
					longest = 0,
					f1;

		CHECK_FOR_INTERRUPTS();
		for (int i = 0; i < k; i++)
		{
			scale = fmax(scale, fabs(H[i * k + i]));
			neg_g[i] = -g[i];
		}
		/* an infinite or NaN derivative: no damping can make the step finite */
		for (int i = 0; i < k * k; i++)
			if (!isfinite(H[i]) || (i < k && !isfinite(g[i])))
				return false;

		/*
		 * Converged when the full Newton step exists (H positive definite)
		 * and its decrement is at rounding level; the step is still taken
		 * when it does not raise f, for the last digits.  A decrement below
		 * f's own last bits (the step would change f by less than they can
		 * show, as after any step in the quadratic regime) needs no further
		 * evaluation of f: the step is taken and f0 kept.
		 */
		if (cholesky_solve(k, H, neg_g, s))
		{
			for (int i = 0; i < k; i++)
				dec -= g[i] * s[i];
			if (dec <= 1e-12 * fmax(1, fabs(f0)))
			{
				for (int i = 0; i < k; i++)
					th1[i] = th[i] + s[i];
				f1 = dec <= 4 * DBL_EPSILON * fabs(f0) ? f0 : f(th1, arg, NULL, NULL);
				if (isfinite(f1) && f1 <= f0)
				{
					memcpy(th, th1, sizeof(double) * k);
					f0 = f1;
				}
				*fbest = f0;
				if (curv)
				{
					memcpy(curv, H, sizeof(double) * k * k);
					memcpy(curv + k * k, g, sizeof(double) * k);
				}
				return true;
			}
		}
		/* otherwise damp until the system is positive definite */
		for (;;)
		{
			CHECK_FOR_INTERRUPTS();
			memcpy(A, H, sizeof(double) * k * k);
			for (int i = 0; i < k; i++)
				A[i * k + i] += mu;
			if (cholesky_solve(k, A, neg_g, s))
				break;
			mu = mu == 0 ? 1e-8 * scale : mu * 10;
			if (!(mu <= 1e20 * scale))
				return false;
		}
		for (int i = 0; i < k; i++)
			longest = fmax(longest, fabs(s[i]));
		for (int i = 0; i < k; i++)
			th1[i] = th[i] + (longest > NEWTON_MAX_STEP ? s[i] * NEWTON_MAX_STEP / longest : s[i]);
		f1 = f(th1, arg, g1, H1);
		if (isfinite(f1) && f1 <= f0)
		{
			/* accepted: trust the quadratic model more */
			memcpy(th, th1, sizeof(double) * k);
			memcpy(g, g1, sizeof(double) * k);
			memcpy(H, H1, sizeof(double) * k * k);
			f0 = f1;
			*fbest = f0;
			mu = mu <= 1e-6 * scale ? 0 : mu / 10;
		}
		else
		{
			/* rejected: a shorter step, closer to the gradient */
			mu = mu == 0 ? 1e-4 * scale : mu * 10;
			if (!(mu <= 1e20 * scale))
				return false;
		}
	}
	return false;
}

/*
 * Minimise f over R^k (k <= KAM_OPT_MAXK) from theta.  On return theta is
 * the last point reached and *fbest its value; false when the method did
 * not converge (the infimum lies at infinity, or 200 iterations passed), or
 * converged to a point with a coordinate beyond +-KAM_OPT_BOUND.
 */
bool
kam_minimize(KamObjective f, void *arg, int k, double *theta, double *fbest)
{
	return kam_minimize_curv(f, arg, k, theta, fbest, NULL);
}

/*
 * kam_minimize that also gives, in curv (k x k + k doubles, when not NULL),
 * the Hessian and gradient of the last Newton step: at the optimum within
 * the step that was left (a Newton decrement below 1e-12 of |f|), so the
 * standard errors need no further evaluation of f
 */
bool
kam_minimize_curv(KamObjective f, void *arg, int k, double *theta, double *fbest, double *curv)
{
	Assert(k >= 1 && k <= KAM_OPT_MAXK);
	*fbest = INFINITY;
	if (!newton(f, arg, k, theta, fbest, curv) || !isfinite(*fbest))
		return false;
	for (int i = 0; i < k; i++)
		if (fabs(theta[i]) > KAM_OPT_BOUND)
			return false;
	return true;
}

/*
 * The gradient and Hessian of -LL in theta = ln P from those of LL in the
 * parameters P (g, and h with its upper triangle filled, k x k row-major):
 * d/dtheta_i = P_i d/dP_i, so the Hessian gains P_i g_i on its diagonal.
 */
void
kam_to_log_scale(int k, const double *P, const double *g, const double *h, double *grad, double *hess)
{
	for (int i = 0; i < k; i++)
	{
		grad[i] = -P[i] * g[i];
		for (int j = i; j < k; j++)
		{
			double		v = P[i] * P[j] * h[i * k + j] + (i == j ? P[i] * g[i] : 0);

			hess[i * k + j] = -v;
			hess[j * k + i] = -v;
		}
	}
}
