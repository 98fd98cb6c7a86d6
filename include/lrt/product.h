/*
 * product.h - the configuration of one liquid restaking token (SPEC section 2).
 *
 * A product owns its strings.  `model`, `offset`, `assets`, `genesis_time` and
 * `epoch_seconds` never change; the fields of lrt_policy change by `config`
 * events.
 */
#ifndef LRT_PRODUCT_H
#define LRT_PRODUCT_H

#include "lrt/common.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
	LRT_MODEL_ERC4626 = 0,  /* OpenZeppelin ERC4626: VS = 10^offset, VA = 1 */
	LRT_MODEL_PLAIN = 1     /* Lido stETH, EtherFi eETH: VS = VA = 0 */
} lrt_model;

typedef struct {
	char *symbol;
	unsigned decimals;      /* 0..255 */
} lrt_asset;

typedef struct {
	char *holder;
	unsigned bps;           /* 0..10000; a product's recipients sum to 10000 */
} lrt_fee_recipient;

/* A points program (SPEC section 2): `per_share_epoch` points per whole
 * share held at the end of each epoch, as its decimal text
 * [0-9]+(.[0-9]{1,18})? (lrt_points_rate_parse reads it). */
typedef struct {
	char *name;             /* non-empty, distinct within a policy */
	char *per_share_epoch;
} lrt_points_program;

/* The part of a product that `config` events may change. */
typedef struct {
	unsigned fee_bps;                   /* 0..9999 */
	lrt_fee_recipient *fee_recipients;  /* owned */
	size_t fee_recipient_count;         /* >= 1 */
	int64_t delay_epochs;               /* >= 0 */
	uint32_t max_apr_bps;               /* 0 = no smoothing */
	uint32_t max_rate_change_bps;       /* 0 = no guard */
	bool fee_high_water_mark;           /* fee only above the mark H */
	lrt_points_program *points;         /* owned; may be empty */
	size_t points_count;
} lrt_policy;

typedef struct {
	char *symbol;
	char *underlying;       /* == assets[0].symbol */
	lrt_asset *assets;      /* owned; the underlying first */
	size_t asset_count;
	lrt_model model;
	unsigned offset;        /* erc4626 decimals offset, 0..18 */
	int64_t genesis_time;   /* Unix seconds */
	int64_t epoch_seconds;  /* > 0 */
	lrt_policy policy;
} lrt_product;

/* Sets every field to its SPEC default (fee_recipients: treasury, 10000
 * bps), with no symbol and no assets.  LRT_ENOMEM leaves the recipients
 * empty; the product can still be cleared. */
LRT_API int lrt_product_init(lrt_product *product);

/* Frees what the product owns and re-initializes it; NULL is a no-op. */
LRT_API void lrt_product_clear(lrt_product *product);

/* A deep copy into an initialized `out`; LRT_ENOMEM leaves `out` empty. */
LRT_API int lrt_product_copy(lrt_product *out, const lrt_product *product);

/* Checks every rule of SPEC section 2; LRT_EINVAL names the field. */
LRT_API int lrt_product_validate(const lrt_product *product);

/* Checks a policy alone (used for `config` events too). */
LRT_API int lrt_policy_validate(const lrt_policy *policy);

/* A deep copy of a policy into `out`, freeing what `out` held before. */
LRT_API int lrt_policy_copy(lrt_policy *out, const lrt_policy *policy);
LRT_API void lrt_policy_clear(lrt_policy *policy);

/* Index of an asset by symbol, or -1. */
LRT_API int lrt_product_asset_index(const lrt_product *product, const char *symbol);

/* Share decimals: dec_u + offset (erc4626) or dec_u (plain). */
LRT_API unsigned lrt_product_share_decimals(const lrt_product *product);

/* The epoch of a Unix time; LRT_EINVAL when before genesis. */
LRT_API int lrt_product_epoch_of(int64_t *epoch_out, const lrt_product *product,
				 int64_t unix_seconds);

#endif
