/*
 * stress.c - reading the --slash arguments of `lrt stress` (SPEC section 7).
 */
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "io/json_parse.h"
#include "lrt/amount.h"
#include "lrt/error.h"
#include "lrt/scenario.h"

#define SLASH_PARTS 4

int lrt_stress_slash_parse(lrt_stress_slash *out, char *text)
{
	static const char *const names[SLASH_PARTS] = {"OPERATOR", "AVS", "ASSET", "WAD"};
	char *parts[SLASH_PARTS], *p = text, *colon;
	size_t count = 0, i;
	mpz_t wad_max;
	int rc;

	for (colon = text; (colon = strchr(colon, ':')) != NULL; colon++)
		count++;
	if (count + 1 != SLASH_PARTS) {
		lrt_error_set("--slash %s: %zu part%s, expected OPERATOR:AVS:ASSET:WAD",
			      text, count + 1, count == 0 ? "" : "s");
		return LRT_EINVAL;
	}
	for (count = 0; count < SLASH_PARTS; count++) {
		parts[count] = p;
		colon = strchr(p, ':');
		if (colon != NULL) {
			*colon = '\0';
			p = colon + 1;
		}
	}
	for (i = 0; i < SLASH_PARTS; i++) {
		size_t length = strlen(parts[i]);

		if (length == 0 || length > LRT_NAME_BYTES_MAX) {
			lrt_error_set("--slash: %s must be 1 to %d bytes", names[i],
				      LRT_NAME_BYTES_MAX);
			return LRT_EINVAL;
		}
	}
	lrt_party_name_normalize(parts[0], strlen(parts[0]));
	lrt_party_name_normalize(parts[1], strlen(parts[1]));
	rc = lrt_amount_parse(out->wad, parts[3], strlen(parts[3]));
	if (rc != 0) {
		lrt_error_prefix("--slash: WAD");
		return rc;
	}
	mpz_init(wad_max);
	mpz_ui_pow_ui(wad_max, 10, LRT_WAD_DIGITS);
	if (mpz_cmp(out->wad, wad_max) > 0) {
		lrt_error_set("--slash: WAD %s is above 10^%d (all of the allocation)",
			      parts[3], LRT_WAD_DIGITS);
		rc = LRT_EINVAL;
	}
	mpz_clear(wad_max);
	out->operator_name = parts[0];
	out->avs = parts[1];
	out->asset = parts[2];
	return rc;
}
