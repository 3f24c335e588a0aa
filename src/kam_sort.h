/*-------------------------------------------------------------------------
 *
 * kam_sort.h
 *	  Define a sort of an array with the comparison inlined: PostgreSQL's
 *	  sort template (14 and later), qsort on 13.  Define KAM_SORT_NAME (the
 *	  function: void name(type *v, size_t n)), KAM_SORT_TYPE and
 *	  KAM_SORT_CMP (int cmp(const type *, const type *), which may call
 *	  CHECK_FOR_INTERRUPTS: the sort allocates nothing), then include this
 *	  file; it undefines the three.
 *
 *-------------------------------------------------------------------------
 */
#if PG_VERSION_NUM >= 140000
#define ST_SORT KAM_SORT_NAME
#define ST_ELEMENT_TYPE KAM_SORT_TYPE
#define ST_COMPARE(a, b) KAM_SORT_CMP(a, b)
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"
#else
#define KAM_SORT_CAT_(a, b) a##b
#define KAM_SORT_CAT(a, b) KAM_SORT_CAT_(a, b)

static int
KAM_SORT_CAT(KAM_SORT_NAME, _qsort_cmp) (const void *a, const void *b)
{
	return KAM_SORT_CMP((const KAM_SORT_TYPE *) a, (const KAM_SORT_TYPE *) b);
}

static void
KAM_SORT_NAME(KAM_SORT_TYPE * v, size_t n)
{
	qsort(v, n, sizeof(KAM_SORT_TYPE), KAM_SORT_CAT(KAM_SORT_NAME, _qsort_cmp));
}

#undef KAM_SORT_CAT
#undef KAM_SORT_CAT_
#endif
#undef KAM_SORT_NAME
#undef KAM_SORT_TYPE
#undef KAM_SORT_CMP
