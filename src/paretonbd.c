/*-------------------------------------------------------------------------
 *
 * paretonbd.c
 *	  The Pareto/NBD model (Schmittlein, Morrison & Colombo 1987) in the
 *	  form of Fader, Hardie & Lee's note "A Note on Deriving the Pareto/NBD
 *	  Model and Related Expressions" (2005); SPEC section 9, docs/ltv.md.
 *
 *	  kam.paretonbd_fit(x, t_x, T) -> kam.paretonbd (r, alpha, s, beta, ll,
 *	  n and the four standard errors); kam.paretonbd(r, alpha, s, beta),
 *	  kam.paretonbd_param, kam.paretonbd_p_alive,
 *	  kam.paretonbd_expected(m, t) and (m, t, x, t_x, T).
 *
 *	  One customer's likelihood, with a = r + s + x:
 *		L = G(r+x) alpha^r beta^s / G(r) [ (alpha+T)^-(r+x) (beta+T)^-s
 *			+ s (F(t_x) - F(T)) ]
 *	  where F(t) = 2F1(a, b; a+1; z) / (a u^a) with, for alpha >= beta,
 *	  u = alpha + t, b = s + 1 and z = (alpha - beta)/u, and for alpha < beta
 *	  u = beta + t, b = r + x and z = (beta - alpha)/u.  kam sums the Euler
 *	  form 2F1(a, b; a+1; z) = (1-z)^(1-b) sum_k (a+1-b)_k / (a+1)_k z^k,
 *	  whose terms fall by at least z from the first (the direct series
 *	  grows for thousands of terms when r + x is large, then overflows):
 *	  with m = u (1 - z), the smaller of alpha + t and beta + t,
 *		alpha >= beta: s F(t) = sum_k s/a u^-(r+x) m^-s (r+x)_k/(a+1)_k (d/u)^k
 *		alpha < beta:  s F(t) = sum_k s/a u^-(s+1) m^-(r+x-1) (s+1)_k/(a+1)_k (d/u)^k
 *	  Every term of the bracket is an exponential of a function whose
 *	  gradient and Hessian in (r, alpha, s, beta) are closed forms (partial
 *	  sums of 1/(b+j) and 1/(b+j)^2 for the Pochhammer symbols), so
 *	  the likelihood, its gradient and Hessian are sums over the series
 *	  terms: the fit runs the damped Newton method of optim.c on analytic
 *	  derivatives like BG/NBD, no finite differences.  The series converges
 *	  like z^k; it is summed until a term adds less than 1e-17 of the
 *	  bracket, at most 100 000 terms (d/u near 1: a parameter far from the
 *	  data); beyond that the likelihood is taken as undefined there (the
 *	  Newton step is shortened) and a prediction is an error.
 *
 *-------------------------------------------------------------------------
 */
#include "models.h"

#include "miscadmin.h"

#define PNBD_MAX_TERMS 100000

typedef struct KamParetoNbd
{
	double		r;
	double		alpha;
	double		s;
	double		beta;
	double		ll;
	double		n;
	double		se[4];
	double		cor[6];			/* r-alpha, r-s, ..., s-beta */
} KamParetoNbd;

static const char *const pnbd_names[] = {"r", "alpha", "s", "beta", "ll", "n", "r_se", "alpha_se", "s_se", "beta_se", "cor_r_alpha", "cor_r_s", "cor_r_beta", "cor_alpha_s", "cor_alpha_beta", "cor_s_beta"};

StaticAssertDecl(sizeof(KamParetoNbd) == lengthof(pnbd_names) * sizeof(double),
				 "KamParetoNbd is its named doubles");

KAM_MODEL_DEFINE(paretonbd, pnbd_names, "Pareto/NBD", 4, true)

/*
 * The parameters and the per-x tables of one evaluation.  For the current
 * x, with a = r + s + x and b1 the upper Pochhammer base (r + x when
 * alpha >= beta, s + 1 otherwise), entry k holds rz[k] = (b1+k)/(a+1+k),
 * the ratio of term k+1 to term k before the factor z, and q[k] the
 * twelve moments' multipliers (1, k, pb, pa, k^2, k pb, k pa, pb^2, pb pa,
 * pa^2, pb2, pa2) with pb, pb2 the partial sums of 1/(b1+j), 1/(b1+j)^2
 * and pa, pa2 those of 1/(a+1+j), j < k.
 */
typedef struct PnbdCtx
{
	double		r,
				alpha,
				s,
				beta;
	bool		caseA;			/* alpha >= beta */
	double		d;				/* |alpha - beta| */
	double		x,
				a,
				b1,
				ls_la;			/* ln s - ln a */
	int			nk;				/* table entries filled */
	int			cap;
	double	   *rz;
	double	   *q;				/* cap x 12 */
	double		pb,
				pb2,
				pa,
				pa2;			/* the partial sums at entry nk */
} PnbdCtx;

#define PNBD_NQ 12

static void
pnbd_ctx_init(PnbdCtx *c, double r, double alpha, double s, double beta)
{
	memset(c, 0, sizeof(PnbdCtx));
	c->r = r;
	c->alpha = alpha;
	c->s = s;
	c->beta = beta;
	c->caseA = alpha >= beta;
	c->d = fabs(alpha - beta);
	c->x = -1;
}

static void
pnbd_ctx_free(PnbdCtx *c)
{
	if (c->rz)
		pfree(c->rz);
	if (c->q)
		pfree(c->q);
}

/* start the tables over for frequency x */
static void
pnbd_ctx_x(PnbdCtx *c, double x)
{
	if (c->x == x)
		return;
	c->x = x;
	c->a = c->r + c->s + x;
	c->ls_la = log(c->s) - log(c->a);
	c->b1 = c->caseA ? c->r + x : c->s + 1;
	c->nk = 0;
	c->pb = c->pb2 = c->pa = c->pa2 = 0;
}

/* make table entry k exist */
static inline void
pnbd_ctx_entry(PnbdCtx *c, int k)
{
	while (unlikely(c->nk <= k))
	{
		int			j = c->nk;
		double		kk = j,
					ib = 1 / (c->b1 + j),
					ia = 1 / (c->a + 1 + j),
				   *q;

		if (j >= c->cap)
		{
			int			cap = Max(64, c->cap * 2);

			c->rz = c->rz ? repalloc(c->rz, cap * sizeof(double)) : palloc(cap * sizeof(double));
			c->q = c->q ? repalloc(c->q, cap * PNBD_NQ * sizeof(double)) : palloc(cap * PNBD_NQ * sizeof(double));
			c->cap = cap;
		}
		q = c->q + j * PNBD_NQ;
		q[0] = 1;
		q[1] = kk;
		q[2] = c->pb;
		q[3] = c->pa;
		q[4] = kk * kk;
		q[5] = kk * c->pb;
		q[6] = kk * c->pa;
		q[7] = c->pb * c->pb;
		q[8] = c->pb * c->pa;
		q[9] = c->pa * c->pa;
		q[10] = c->pb2;
		q[11] = c->pa2;
		c->rz[j] = (c->b1 + j) * ia;
		c->pb += ib;
		c->pb2 += ib * ib;
		c->pa += ia;
		c->pa2 += ia * ia;
		c->nk++;
	}
}

/*
 * One series s F(t) for the current x, relative to its first term: l0 is
 * ln of the first term, S the sum over it, and with derivatives G the sum
 * of term * grad ln term and M (upper triangle, row-major 4 x 4) the sum
 * of term * (hess ln term + grad grad'), over the first term, in the order
 * (r, alpha, s, beta).
 */
typedef struct PnbdSeries
{
	double		lu,
				lm;				/* ln u and ln m */
	double		l0;
	double		S;
	double		G[4];
	double		M[16];
} PnbdSeries;

/* the sums of pnbd_series' terms */
typedef struct PnbdSums
{
	double		S;
	KamPair		o[PNBD_NQ / 2];
} PnbdSums;

/*
 * Sum the terms 1, rz[0] z, rz[0] rz[1] z^2, ... until one adds nothing
 * (the terms fall by at least z < 1) and, with deriv, their moments, in
 * pairs: each lane sums one moment in the order of the terms, so the pairs
 * give the bits of twelve scalar sums in half the instructions.  Inlined
 * with deriv constant, so each form has its own loop.  False past
 * PNBD_MAX_TERMS terms.
 */
static pg_attribute_always_inline bool
pnbd_terms(PnbdCtx *c, double z, bool deriv, PnbdSums *out)
{
	double		tt = 1,
				S = 0;
	KamPair		o0 = kam_pair(0, 0),
				o1 = o0,
				o2 = o0,
				o3 = o0,
				o4 = o0,
				o5 = o0;
	int			nk = c->nk;
	const double *rz = c->rz,
			   *qk = c->q;		/* entry k's moments' multipliers */

	for (int k = 0;; k++, qk += PNBD_NQ)
	{
		/* the table grows, and the checks run, only past its end */
		if (unlikely(k >= nk))
		{
			if (k > PNBD_MAX_TERMS)
				return false;
			CHECK_FOR_INTERRUPTS();
			pnbd_ctx_entry(c, k);
			nk = c->nk;
			rz = c->rz;
			qk = c->q + k * PNBD_NQ;
		}
		S += tt;
		if (deriv)
		{
			KamPair		t2 = kam_pair(tt, tt);

			o0 = kam_pair_muladd(o0, t2, kam_pair_load(qk));
			o1 = kam_pair_muladd(o1, t2, kam_pair_load(qk + 2));
			o2 = kam_pair_muladd(o2, t2, kam_pair_load(qk + 4));
			o3 = kam_pair_muladd(o3, t2, kam_pair_load(qk + 6));
			o4 = kam_pair_muladd(o4, t2, kam_pair_load(qk + 8));
			o5 = kam_pair_muladd(o5, t2, kam_pair_load(qk + 10));
		}
		/* (z = 0 ends it after one zero term, which adds nothing) */
		if (tt <= 1e-17 * S)
			break;
		tt *= rz[k] * z;
	}
	out->S = S;
	out->o[0] = o0;
	out->o[1] = o1;
	out->o[2] = o2;
	out->o[3] = o3;
	out->o[4] = o4;
	out->o[5] = o5;
	return true;
}

/*
 * The Euler form of s F(t), with u the larger and m the smaller of alpha + t
 * and beta + t, z = |alpha - beta| / u:
 *	 alpha >= beta: term_k = s/a u^-(r+x) m^-s (r+x)_k/(a+1)_k z^k
 *	 alpha < beta:	term_k = s/a u^-(s+1) m^-(r+x-1) (s+1)_k/(a+1)_k z^k
 * The gradient of ln term_k is c + k v + pb_k eb + pa_k ea and its Hessian
 * h0 + k hv + pb2_k hb + pa2_k ha: the loop sums the weighted moments of
 * (k, pb, pa) and the derivatives are put together after it.  Returns false
 * when the series did not converge in PNBD_MAX_TERMS terms.
 */
static bool
pnbd_series(PnbdCtx *c, double t, bool deriv, PnbdSeries *out)
{
	double		r = c->r,
				s = c->s,
				x = c->x,
				a = c->a,
				ia = 1 / a;
	double		u = (c->caseA ? c->alpha : c->beta) + t,
				m = (c->caseA ? c->beta : c->alpha) + t,
				lu = log(u),
				lm = log(m),
				z = c->d / u;
	PnbdSums	sums;

	if (!(deriv ? pnbd_terms(c, z, true, &sums) : pnbd_terms(c, z, false, &sums)))
		return false;
	out->lu = lu;
	out->lm = lm;
	out->l0 = c->caseA ? c->ls_la - (r + x) * lu - s * lm :
		c->ls_la - (s + 1) * lu - (r + x - 1) * lm;
	out->S = sums.S;
	if (deriv)
	{
		const double o[PNBD_NQ] = {
			kam_pair_get(sums.o[0], 0), kam_pair_get(sums.o[0], 1), kam_pair_get(sums.o[1], 0),
			kam_pair_get(sums.o[1], 1), kam_pair_get(sums.o[2], 0), kam_pair_get(sums.o[2], 1),
			kam_pair_get(sums.o[3], 0), kam_pair_get(sums.o[3], 1), kam_pair_get(sums.o[4], 0),
			kam_pair_get(sums.o[4], 1), kam_pair_get(sums.o[5], 0), kam_pair_get(sums.o[5], 1)
		};

		/* W: the moments of beta beta' for beta = (1, k, pb, pa) */
		const double W[4][4] = {{o[0], o[1], o[2], o[3]}, {o[1], o[4], o[5], o[6]},
		{o[2], o[5], o[7], o[8]}, {o[3], o[6], o[8], o[9]}};
		double		iu = 1 / u,
					im = 1 / m,
					id = c->d > 0 ? 1 / c->d : 0,
					ia2 = ia * ia;
		double		cc[4],
					v1,
					v3,
					eb0,
					eb2,
					h01,
					h11,
					hv11,
					h23,
					h33,
					hv33,
					y[4][4],
					hp[4][4];

		/*
		 * The gradient of ln term_k is c + k v + pb eb + pa ea with ea = (-1,
		 * 0, -1, 0), v = (0, v1, 0, v3) and eb the unit vector of r (case A)
		 * or s; its Hessian h0 + k hv + pb2 hb + pa2 ha, hb = -eb eb' and ha
		 * 1 at (r, r), (r, s) and (s, s).  Only the entries that can be
		 * nonzero are computed, in the order of the full sums, so the bits
		 * are those of the dense products.
		 */
		if (c->caseA)
		{
			/* u = alpha + t, m = beta + t, b1 = r + x */
			cc[0] = -ia - lu;
			cc[1] = -(r + x) * iu;
			cc[2] = 1 / s - ia - lm;
			cc[3] = -s * im;
			v1 = id - iu;
			v3 = -id;
			eb0 = 1;
			eb2 = 0;
			h01 = -iu;
			h11 = (r + x) * iu * iu;
			hv11 = iu * iu - id * id;
			h23 = -im;
			h33 = s * im * im;
			hv33 = -id * id;
		}
		else
		{
			/* u = beta + t, m = alpha + t, b1 = s + 1 */
			cc[0] = -ia - lm;
			cc[1] = -(r + x - 1) * im;
			cc[2] = 1 / s - ia - lu;
			cc[3] = -(s + 1) * iu;
			v1 = -id;
			v3 = id - iu;
			eb0 = 0;
			eb2 = 1;
			h01 = -im;
			h11 = (r + x - 1) * im * im;
			hv11 = -id * id;
			h23 = -iu;
			h33 = (s + 1) * iu * iu;
			hv33 = iu * iu - id * id;
		}

		/*
		 * The sum of term * grad grad' is B' W B, B's rows the gradient's
		 * coefficients of (1, k, pb, pa): y = W B column by column, then B'
		 * y; the gradient is row 0 of W B.
		 */
		for (int a = 0; a < 4; a++)
		{
			y[0][a] = W[a][0] * cc[0] + eb0 * W[a][2] - W[a][3];
			y[1][a] = W[a][0] * cc[1] + W[a][1] * v1;
			y[2][a] = W[a][0] * cc[2] + eb2 * W[a][2] - W[a][3];
			y[3][a] = W[a][0] * cc[3] + W[a][1] * v3;
		}
		for (int i = 0; i < 4; i++)
			out->G[i] = y[i][0];
		/* the sum of term * hess ln term (upper triangle) */
		hp[0][0] = o[0] * ia2 - eb0 * o[10] + o[11];
		hp[0][1] = o[0] * h01;
		hp[0][2] = o[0] * ia2 + o[11];
		hp[0][3] = 0;
		hp[1][1] = o[0] * h11 + o[1] * hv11;
		hp[1][2] = 0;
		hp[1][3] = o[1] * (id * id);
		hp[2][2] = o[0] * (ia2 - 1 / (s * s)) - eb2 * o[10] + o[11];
		hp[2][3] = o[0] * h23;
		hp[3][3] = o[0] * h33 + o[1] * hv33;
		for (int j = 0; j < 4; j++)
		{
			out->M[0 * 4 + j] = hp[0][j] + cc[0] * y[j][0] + eb0 * y[j][2] - y[j][3];
			if (j >= 1)
				out->M[1 * 4 + j] = hp[1][j] + cc[1] * y[j][0] + v1 * y[j][1];
			if (j >= 2)
				out->M[2 * 4 + j] = hp[2][j] + cc[2] * y[j][0] + eb2 * y[j][2] - y[j][3];
		}
		out->M[3 * 4 + 3] = hp[3][3] + cc[3] * y[3][0] + v3 * y[3][1];
	}
	return true;
}

/*
 * The bracket of one customer (x the context's) from its two series, s0 at
 * t_x and s1 at T (NULL when t_x = T: the series cancel), relative to
 * exp(L0), L0 the larger of ln of the first term and s0's first term: *e1
 * is the first term / exp(L0), the result S the bracket / exp(L0), and
 * with derivatives G and M (upper triangle) its gradient and second moments
 * over exp(L0).  Returns L0.
 */
static double
pnbd_bracket(const PnbdCtx *c, double T, const PnbdSeries *s0, const PnbdSeries *s1,
			 double *e1, double *S, double *G, double *M)
{
	double		r = c->r,
				s = c->s,
				x = c->x;

	/* ln(alpha + T) and ln(beta + T): the series at T has them */
	double		laT = s1 ? (c->caseA ? s1->lu : s1->lm) : log(c->alpha + T),
				lbT = s1 ? (c->caseA ? s1->lm : s1->lu) : log(c->beta + T);
	double		LE = -(r + x) * laT - s * lbT;
	double		L0 = s0 ? fmax(LE, s0->l0) : LE;
	double		f0 = 0,
				f1 = 0;

	/* L0 is LE or s0's first term: that one's factor is 1 */
	*e1 = L0 == LE ? 1 : exp(LE - L0);
	if (s0)
	{
		f0 = L0 == LE ? exp(s0->l0 - L0) : 1;
		f1 = exp(s1->l0 - L0);
	}
	*S = *e1 + (s0 ? f0 * s0->S - f1 * s1->S : 0);
	if (G)
	{
		double		iaT = 1 / (c->alpha + T),
					ibT = 1 / (c->beta + T);
		double		g[4] = {-laT, -(r + x) * iaT, -lbT, -s * ibT};

		for (int i = 0; i < 4; i++)
		{
			G[i] = *e1 * g[i] + (s0 ? f0 * s0->G[i] - f1 * s1->G[i] : 0);
			for (int j = i; j < 4; j++)
				M[i * 4 + j] = *e1 * g[i] * g[j] + (s0 ? f0 * s0->M[i * 4 + j] - f1 * s1->M[i * 4 + j] : 0);
		}
		M[0 * 4 + 1] -= *e1 * iaT;
		M[1 * 4 + 1] += *e1 * (r + x) * iaT * iaT;
		M[2 * 4 + 3] -= *e1 * ibT;
		M[3 * 4 + 3] += *e1 * s * ibT * ibT;
	}
	return L0;
}

/*
 * The data of the fit: the patterns (sorted by x, t_x, T) and, per x
 * group, its distinct ages T (sorted) with each pattern's index among them,
 * so that every evaluation sums one series per distinct (x, t_x) and
 * (x, T) instead of two per pattern.
 */
typedef struct PnbdData
{
	const BgData *d;
	double	   *ages;			/* the distinct T of each x group, group after
								 * group */
	int64	   *first_age;		/* per pattern: its group's first index in
								 * ages */
	int32	   *age;			/* per pattern: its T's index in its group */
	int32	   *group_ages;		/* per pattern: its group's distinct T */
	int64		max_ages;		/* the most distinct T in one group */
} PnbdData;

/* a pattern's age and its index, sorted by age (pnbd_prepare) */
typedef struct PnbdAge
{
	double		T;
	int64		j;
} PnbdAge;

static inline int
cmp_age(const PnbdAge *a, const PnbdAge *b)
{
	/* the sort may stop at any comparison: it allocates nothing */
	CHECK_FOR_INTERRUPTS();
	return a->T < b->T ? -1 : (a->T > b->T ? 1 : 0);
}

#define KAM_SORT_NAME age_sort
#define KAM_SORT_TYPE PnbdAge
#define KAM_SORT_CMP cmp_age
#include "kam_sort.h"

static void *
pnbd_prepare(const BgData *d)
{
	PnbdData   *p = palloc0(sizeof(PnbdData));
	PnbdAge    *by_age = kam_alloc_large(CurrentMemoryContext, Max(d->n, 1) * sizeof(PnbdAge), 0);
	int64		nages = 0;

	p->d = d;
	p->ages = kam_alloc_large(CurrentMemoryContext, Max(d->n, 1) * sizeof(double), 0);
	p->first_age = kam_alloc_large(CurrentMemoryContext, Max(d->n, 1) * sizeof(int64), 0);
	p->age = kam_alloc_large(CurrentMemoryContext, Max(d->n, 1) * sizeof(int32), 0);
	p->group_ages = kam_alloc_large(CurrentMemoryContext, Max(d->n, 1) * sizeof(int32), 0);
	for (int64 i = 0; i < d->n;)
	{
		int64		g0 = i,
					m = 0,
					n = 0;
		double		x = d->c[i].x;
		double	   *ages = p->ages + nages;

		CHECK_FOR_INTERRUPTS();

		/*
		 * the group's ages sorted with their patterns: distinct ages, each
		 * pattern's rank
		 */
		for (; i < d->n && d->c[i].x == x; i++, m++)
		{
			by_age[m].T = d->c[i].T;
			by_age[m].j = i;
		}
		age_sort(by_age, m);
		for (int64 k = 0; k < m; k++)
		{
			if ((k & 0xFFFF) == 0xFFFF)
				CHECK_FOR_INTERRUPTS();
			if (n == 0 || by_age[k].T != ages[n - 1])
				ages[n++] = by_age[k].T;
			p->age[by_age[k].j] = (int32) (n - 1);
		}
		for (int64 j = g0; j < i; j++)
		{
			p->first_age[j] = nages;
			p->group_ages[j] = (int32) n;
		}
		nages += n;
		p->max_ages = Max(p->max_ages, n);
	}
	pfree(by_age);
	return p;
}

/*
 * Minus the log-likelihood at theta = (ln r, ln alpha, ln s, ln beta), with
 * its gradient and Hessian in theta when grad is not NULL.
 */
static double
pnbd_objective(const double *th, void *arg, double *grad, double *hess)
{
	const PnbdData *p = arg;
	const BgData *d = p->d;
	double		P[4] = {exp(th[0]), exp(th[1]), exp(th[2]), exp(th[3])};
	double		r = P[0],
				alpha = P[1],
				s = P[2],
				beta = P[3];
	bool		deriv = grad != NULL;
	double		g[4] = {0, 0, 0, 0},
				h[16] = {0};
	KamSum		ll = {0, 0};
	double		lalpha,
				lbeta,
				lgr,
				dgr = 0,
				tgr = 0;
	PnbdCtx		c;
	PnbdSeries *at_T,
				at_tx;
	bool		ok = true;

	if (!(r > 0 && alpha > 0 && s > 0 && beta > 0) || !isfinite(r + alpha + s + beta))
		return INFINITY;
	lalpha = log(alpha);
	lbeta = log(beta);
	lgr = lgamma(r);
	if (deriv)
	{
		dgr = kam_digamma(r);
		tgr = kam_trigamma(r);
	}
	pnbd_ctx_init(&c, r, alpha, s, beta);
	at_T = palloc(Max(p->max_ages, 1) * sizeof(PnbdSeries));
	for (int64 i = 0; i < d->n && ok;)
	{
		double		x = d->c[i].x,
					wx = 0,
					last_tx = -1;
		int64		a0 = p->first_age[i];
		int64		nages = p->group_ages[i];

		CHECK_FOR_INTERRUPTS();
		pnbd_ctx_x(&c, x);

		/*
		 * the series at every distinct T of the group (a series checks for
		 * interrupts only when it grows the table: the loops over series do)
		 */
		for (int64 j = 0; j < nages && ok; j++)
		{
			if ((j & 0xFF) == 0xFF)
				CHECK_FOR_INTERRUPTS();
			ok = pnbd_series(&c, p->ages[a0 + j], deriv, &at_T[j]);
		}
		for (; i < d->n && d->c[i].x == x && ok; i++)
		{
			const BgCust *cu = &d->c[i];
			double		S,
						e1,
						G[4],
						M[16],
						L0;
			bool		both = cu->tx < cu->T;

			if ((i & 0xFF) == 0)
				CHECK_FOR_INTERRUPTS();
			if (both && cu->tx != last_tx)
			{
				ok = pnbd_series(&c, cu->tx, deriv, &at_tx);
				last_tx = cu->tx;
			}
			if (!ok)
				break;
			L0 = pnbd_bracket(&c, cu->T, both ? &at_tx : NULL, both ? &at_T[p->age[i]] : NULL,
							  &e1, &S, deriv ? G : NULL, M);
			if (!(S > 0) || !isfinite(S))
			{
				ok = false;
				break;
			}
			wx += cu->w;
			kam_sum_add(&ll, cu->w * (L0 + log(S)));
			if (deriv)
			{
				double		iS = 1 / S;

				for (int m = 0; m < 4; m++)
				{
					G[m] *= iS;
					g[m] += cu->w * G[m];
				}
				for (int m = 0; m < 4; m++)
					for (int j = m; j < 4; j++)
						h[m * 4 + j] += cu->w * (M[m * 4 + j] * iS - G[m] * G[j]);
			}
		}
		/* lnG(r+x) - lnG(r) + r ln alpha + s ln beta */
		kam_sum_add(&ll, wx * (lgamma(r + x) - lgr + r * lalpha + s * lbeta));
		if (deriv)
		{
			g[0] += wx * (kam_digamma(r + x) - dgr + lalpha);
			g[1] += wx * r / alpha;
			g[2] += wx * lbeta;
			g[3] += wx * s / beta;
			h[0 * 4 + 0] += wx * (kam_trigamma(r + x) - tgr);
			h[0 * 4 + 1] += wx / alpha;
			h[1 * 4 + 1] -= wx * r / (alpha * alpha);
			h[2 * 4 + 3] += wx / beta;
			h[3 * 4 + 3] -= wx * s / (beta * beta);
		}
	}
	pfree(at_T);
	pnbd_ctx_free(&c);
	if (!ok)
		return INFINITY;
	if (deriv)
		kam_to_log_scale(4, P, g, h, grad, hess);
	return -kam_sum_value(&ll);
}

PG_FUNCTION_INFO_V1(kam_paretonbd_final);
Datum
kam_paretonbd_final(PG_FUNCTION_ARGS)
{
	return kam_cust_fit(fcinfo, pnbd_objective, &paretonbd_def, pnbd_prepare, false, "kam.paretonbd_fit", "customers",
						"(x, t_x, T)", "The model needs repeat buyers and customers of different ages.");
}

/* ---------- predictions ---------- */

/* P(alive | x, t_x, T): the first term of the bracket over the bracket */
static double
pnbd_alive(const KamParetoNbd *m, double x, double tx, double T)
{
	PnbdCtx		c;
	PnbdSeries	s0,
				s1;
	double		S,
				e1;
	bool		both;

	if (x == 0)
		tx = 0;
	both = tx < T;
	pnbd_ctx_init(&c, m->r, m->alpha, m->s, m->beta);
	pnbd_ctx_x(&c, x);
	if (both && (!pnbd_series(&c, tx, false, &s0) || !pnbd_series(&c, T, false, &s1)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("the Pareto/NBD series did not converge"),
				 errdetail("r = %g, alpha = %g, s = %g, beta = %g at x = %g, t_x = %g, T = %g.",
						   m->r, m->alpha, m->s, m->beta, x, tx, T)));
	pnbd_bracket(&c, T, both ? &s0 : NULL, both ? &s1 : NULL, &e1, &S, NULL, NULL);
	pnbd_ctx_free(&c);
	return e1 / S;
}

static double
pnbd_horizon(double s, double c, double t)
{
	double		l = log1p(t / c);

	if (s == 1)
		return l;
	return -expm1(-(s - 1) * l) / (s - 1);
}

/* the predictions (models.h) */
static double
pnbd_predict(const double *v, const void *arg)
{
	const KamParetoNbd *m = (const KamParetoNbd *) v;
	const KamRfmQuery *q = arg;

	switch (q->what)
	{
		case KAM_P_ALIVE:
			return pnbd_alive(m, q->x, q->tx, q->T);
		case KAM_EXPECTED_COND:

			/*
			 * (r+x)(beta+T)/(alpha+T) (1 - ((beta+T)/(beta+T+t))^(s-1))/(s-1)
			 * P(alive)
			 */
			return (m->r + q->x) * (m->beta + q->T) / (m->alpha + q->T) *
				pnbd_horizon(m->s, m->beta + q->T, q->t) * pnbd_alive(m, q->x, q->tx, q->T);
		case KAM_EXPECTED_UNCOND:
			/* r beta / alpha (1 - (beta/(beta+t))^(s-1)) / (s-1) */
			return m->r * m->beta / m->alpha * pnbd_horizon(m->s, m->beta, q->t);
	}
	return NAN;
}

KAM_MODEL_ENTRY(kam_paretonbd_p_alive, kam_rfm_predict(fcinfo, &paretonbd_def, pnbd_predict, NULL, KAM_P_ALIVE, false))
KAM_MODEL_ENTRY(kam_paretonbd_expected_cond, kam_rfm_predict(fcinfo, &paretonbd_def, pnbd_predict, NULL, KAM_EXPECTED_COND, false))
KAM_MODEL_ENTRY(kam_paretonbd_expected_uncond, kam_rfm_predict(fcinfo, &paretonbd_def, pnbd_predict, NULL, KAM_EXPECTED_UNCOND, false))
KAM_MODEL_ENTRY(kam_paretonbd_p_alive_interval, kam_rfm_predict(fcinfo, &paretonbd_def, pnbd_predict, NULL, KAM_P_ALIVE, true))
KAM_MODEL_ENTRY(kam_paretonbd_expected_cond_interval, kam_rfm_predict(fcinfo, &paretonbd_def, pnbd_predict, NULL, KAM_EXPECTED_COND, true))
KAM_MODEL_ENTRY(kam_paretonbd_expected_uncond_interval, kam_rfm_predict(fcinfo, &paretonbd_def, pnbd_predict, NULL, KAM_EXPECTED_UNCOND, true))

/* ---------- P(X(t) = x) ---------- */

/*
 * The purchases of a customer drawn from the population in (0, t]: alive
 * throughout (the death time tau beyond t) with probability
 * (beta/(beta+t))^s, or dead at tau in (0, t], with density s beta^s /
 * (beta+tau)^(s+1), having bought at rate lambda until then:
 *	 P(X(t) = x) = NBD(x; r, alpha/(alpha+t)) (beta/(beta+t))^s
 *		+ G(r+x)/(G(r) x!) alpha^r s beta^s
 *		  int_0^t tau^x (alpha+tau)^-(r+x) (beta+tau)^-(s+1) dtau
 * The integral by adaptive Simpson's rule to about 1e-13 of its scale
 * (the integrand is smooth on [0, t]; its logarithm is computed, no
 * overflow), at most 10^6 evaluations.
 */
typedef struct PnbdDensity
{
	double		r,
				alpha,
				s,
				beta,
				x;
	int			budget;			/* integrand evaluations left */
} PnbdDensity;

static double
pnbd_integrand(const PnbdDensity *p, double tau)
{
	if (tau <= 0)
		return p->x == 0 ? exp(-p->r * log(p->alpha) - (p->s + 1) * log(p->beta)) : 0;
	return exp(p->x * log(tau / (p->alpha + tau)) - p->r * log(p->alpha + tau) - (p->s + 1) * log(p->beta + tau));
}

static double
simpson_step(PnbdDensity *p, double a, double b, double fa, double fm, double fb, double whole,
			 double tol, int depth)
{
	double		m = (a + b) / 2,
				lm = (a + m) / 2,
				rm = (m + b) / 2,
				flm = pnbd_integrand(p, lm),
				frm = pnbd_integrand(p, rm),
				left = (m - a) / 6 * (fa + 4 * flm + fm),
				right = (b - m) / 6 * (fm + 4 * frm + fb);

	CHECK_FOR_INTERRUPTS();
	p->budget -= 2;
	if (depth <= 0 || p->budget <= 0 || fabs(left + right - whole) <= 15 * tol)
		return left + right + (left + right - whole) / 15;
	return simpson_step(p, a, m, fa, flm, fm, left, tol / 2, depth - 1) +
		simpson_step(p, m, b, fm, frm, fb, right, tol / 2, depth - 1);
}

PG_FUNCTION_INFO_V1(kam_paretonbd_probability);
Datum
kam_paretonbd_probability(PG_FUNCTION_ARGS)
{
	KamParetoNbd *m = (KamParetoNbd *) kam_model_arg(fcinfo, 0, &paretonbd_def);
	int32		x = PG_GETARG_INT32(1);
	double		t = kam_check_horizon(PG_GETARG_FLOAT8(2));
	PnbdDensity p = {m->r, m->alpha, m->s, m->beta, x, 1000000};
	double		alive,
				coef,
				fa,
				fm,
				fb,
				whole,
				integral;

	if (x < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the number of purchases n must not be negative"),
				 errdetail("Value is %d.", x)));
	if (t == 0)
		PG_RETURN_FLOAT8(x == 0 ? 1.0 : 0.0);
	alive = exp(lgamma(m->r + x) - lgamma(m->r) - lgamma(x + 1.0) - m->r * log1p(t / m->alpha) -
				x * log1p(m->alpha / t) - m->s * log1p(t / m->beta));
	coef = exp(lgamma(m->r + x) - lgamma(m->r) - lgamma(x + 1.0) + m->r * log(m->alpha) +
			   log(m->s) + m->s * log(m->beta));
	fa = pnbd_integrand(&p, 0);
	fm = pnbd_integrand(&p, t / 2);
	fb = pnbd_integrand(&p, t);
	whole = t / 6 * (fa + 4 * fm + fb);
	integral = simpson_step(&p, 0, t, fa, fm, fb, whole, 1e-13 * fmax(fabs(whole), fmax(fa, fmax(fm, fb)) * t), 40);
	PG_RETURN_FLOAT8(alive + coef * integral);
}
