/*-------------------------------------------------------------------------
 *
 * models.h
 *	  The customer-base and contract model types (models.c) and the
 *	  per-customer state their fits share (bgnbd.c).
 *
 *	  A model type is a fixed-size run of named doubles: its k parameters,
 *	  the log-likelihood ll (NaN for a model built from parameters), the
 *	  customer count n (stored as int64) and, for every type from 0.3.0 on,
 *	  the k standard errors <name>_se and the k(k-1)/2 correlations
 *	  cor_<a>_<b> of the estimates (NaN when not fitted), from which the
 *	  interval forms of the predictions get their variance (delta method).
 *	  kam.bgnbd and kam.gammagamma keep the 0.1.0 layout without them (a
 *	  fixed length cannot change under stored values).
 *
 *-------------------------------------------------------------------------
 */
#ifndef KAM_MODELS_H
#define KAM_MODELS_H

#include "kam.h"

typedef struct KamModelDef
{
	KamValuesType vt;			/* name, fields, check: see KAM_MODEL_VT */
	const char *label;			/* "Pareto/NBD" */
	int			k;				/* parameters */
	bool		has_se;			/* k standard errors after ll and n */
} KamModelDef;

#define KAM_MODEL_NFIELDS(k, has_se) ((has_se) ? 2 * (k) + 2 + (k) * ((k) - 1) / 2 : (k) + 2)

#define KAM_MODEL_MAXFIELDS KAM_MODEL_NFIELDS(KAM_OPT_MAXK, true)

/* the index of cor_<i>_<j> (i < j) in a model's doubles */
#define KAM_MODEL_COR(k, i, j) (2 * (k) + 2 + (i) * (2 * (k) - (i) - 1) / 2 + (j) - (i) - 1)

extern const char *kam_model_invalid(const KamModelDef *def, const double *v);
extern double *kam_model_arg(FunctionCallInfo fcinfo, int argno, const KamModelDef *def);
extern Datum kam_model_datum(const KamModelDef *def, double *v);
extern Datum kam_model_in(FunctionCallInfo fcinfo, const KamModelDef *def);
extern Datum kam_model_out(FunctionCallInfo fcinfo, const KamModelDef *def);
extern Datum kam_model_send(FunctionCallInfo fcinfo, const KamModelDef *def);
extern Datum kam_model_recv(FunctionCallInfo fcinfo, const KamModelDef *def);
extern Datum kam_model_make(FunctionCallInfo fcinfo, const KamModelDef *def);
extern Datum kam_model_get(FunctionCallInfo fcinfo, const KamModelDef *def);
extern void kam_model_se(int k, KamObjective f, void *arg, const double *theta, const double *curv,
						 double *se, double *cor);

/*
 * A prediction from a model's parameters (for the delta method): g(params,
 * arg); the scale on which the interval is symmetric.
 */
typedef double (*KamPrediction) (const double *params, const void *arg);
typedef enum KamScale
{
	KAM_SCALE_LINEAR,
	KAM_SCALE_LOG,				/* a positive quantity */
	KAM_SCALE_LOGIT				/* a probability */
} KamScale;
extern Datum kam_model_interval(FunctionCallInfo fcinfo, const KamModelDef *def, const double *v,
								KamPrediction g, const void *arg, double confidence, KamScale scale);
extern double *kam_model_fitted(const KamModelDef *def, KamObjective f, void *arg,
								const double *theta, const double *curv, double fval, double n);

/*
 * The type's SQL entry points: kam_<t>_in, _out, _send, _recv, the
 * constructor kam_<t> from its k parameters and kam_<t>_param.  CHECK is
 * the KamValuesType check (a one-line wrapper of kam_model_invalid).
 */
#define KAM_MODEL_ENTRY(fn, body) \
	PG_FUNCTION_INFO_V1(fn); \
	Datum fn(PG_FUNCTION_ARGS) { return body; }
#define KAM_MODEL_FUNCTIONS(t, def) \
	KAM_MODEL_ENTRY(kam_##t##_in, kam_model_in(fcinfo, &def)) \
	KAM_MODEL_ENTRY(kam_##t##_out, kam_model_out(fcinfo, &def)) \
	KAM_MODEL_ENTRY(kam_##t##_send, kam_model_send(fcinfo, &def)) \
	KAM_MODEL_ENTRY(kam_##t##_recv, kam_model_recv(fcinfo, &def)) \
	KAM_MODEL_ENTRY(kam_##t, kam_model_make(fcinfo, &def)) \
	KAM_MODEL_ENTRY(kam_##t##_param, kam_model_get(fcinfo, &def))

/*
 * A model type t with its field names (k parameters, ll, n and, with
 * has_se, the k standard errors): its KamModelDef t_def, check and SQL
 * entry points.
 */
#define KAM_MODEL_DEFINE(t, names, label, k, has_se) \
	static const char *t##_invalid(const double *v); \
	static const KamModelDef t##_def = {{"kam." #t, names, lengthof(names), (k) + 1, t##_invalid}, label, k, has_se}; \
	static const char *t##_invalid(const double *v) { return kam_model_invalid(&t##_def, v); } \
	KAM_MODEL_FUNCTIONS(t, t##_def)

/* the customer history (x, t_x, T) in arguments first.. first+2, checked */
extern void kam_rfm_args(FunctionCallInfo fcinfo, int first, double *x, double *tx, double *T);

/*
 * The predictions of the customer-base models: P(alive | x, t_x, T),
 * E[Y(t) | x, t_x, T] and E[X(t)], with their arguments after the model
 * ((x, t_x, T), (t, x, t_x, T) and (t)), and the interval forms with a
 * confidence after those.  check validates the arguments (NULL: the
 * BG/NBD checks); g returns NaN where the prediction does not exist (NULL).
 */
typedef enum KamRfmWhat
{
	KAM_P_ALIVE,
	KAM_EXPECTED_COND,
	KAM_EXPECTED_UNCOND
} KamRfmWhat;

typedef struct KamRfmQuery
{
	KamRfmWhat	what;
	double		t;
	double		x;
	double		tx;
	double		T;
} KamRfmQuery;

typedef void (*KamRfmCheck) (KamRfmQuery *q);
extern Datum kam_rfm_predict(FunctionCallInfo fcinfo, const KamModelDef *def, KamPrediction g,
							 KamRfmCheck check, KamRfmWhat what, bool interval);

/* ---------- per-customer rows (bgnbd.c) ---------- */

typedef struct BgCust
{
	double		x;
	double		tx;				/* t_x; monetary for Gamma-Gamma */
	double		T;				/* T; n for BG/BB */
	double		w;				/* customers with this pattern */
} BgCust;

/*
 * The customers (BgCust) in c: sorted and merged into distinct patterns
 * when sorted is true, else in arrival order.  part[] are other states
 * taken over by the combine function without copying (the workers' sorted
 * patterns, deserialized into this aggregate's context); the final and
 * serial functions merge them into c.
 */
#define BG_MAX_PARTS 64

typedef struct BgState
{
	KamArray	c;
	bool		sorted;
	int			nparts;
	struct BgState *part[BG_MAX_PARTS];
} BgState;

typedef struct BgData
{
	int64		n;				/* distinct patterns */
	BgCust	   *c;				/* sorted by x, t_x, T */
	double		total;			/* customers */
	bool		modified;		/* MBG/NBD: a customer may also drop out at
								 * time 0 */
} BgData;

extern void kam_check_rfm(double x, double tx, double T);
extern BgState *kam_cust_append(FunctionCallInfo fcinfo, MemoryContext aggctx, double x, double v1,
								double v2, double w);
typedef void *(*KamFitPrepare) (const BgData *d);
extern Datum kam_cust_fit(FunctionCallInfo fcinfo, KamObjective objective, const KamModelDef *def,
						  KamFitPrepare prepare, bool modified, const char *fitname,
						  const char *rows, const char *patterns, const char *hint);
extern double kam_hyp2f1(double a, double b, double c, double z);
extern double kam_check_horizon(double t);

#endif							/* KAM_MODELS_H */
