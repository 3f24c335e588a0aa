/*-------------------------------------------------------------------------
 *
 * accounts_hash.h
 *	  One simplehash of accounts keyed by a Datum (accounts.c): define
 *	  SH_PREFIX and SH_ELEMENT_TYPE (with fields key, hash and status), then
 *	  include this file.  Keys hash and compare through the account state.
 *
 *-------------------------------------------------------------------------
 */
#define SH_KEY_TYPE Datum
#define SH_KEY key
#define SH_HASH_KEY(tb, k) acct_hash_key((struct KamAcctState *) (tb)->private_data, k)
#define SH_EQUAL(tb, a, b) acct_key_equal((struct KamAcctState *) (tb)->private_data, a, b)
#define SH_SCOPE static inline
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) a->hash
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"
