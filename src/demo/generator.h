/*
 * generator.h - the history of a made-up liquid restaking token, written
 * as a scenario (SPEC section 6) for `lrt demo generate` and `make demo`.
 *
 * The token is rstETH: ETH, stETH and rETH accepted, AVS rewards paid in
 * EIGEN; daily epochs from 2025-06-02; holders depositing, withdrawing,
 * transferring and claiming; consensus rewards, AVS rewards sold for ETH,
 * LST prices drifting, a treasury moving funds between the buffer and three
 * operators; the operators' EigenLayer allocations to four AVSs (allocate
 * events, changed now and then); one AVS slashing one operator midway (a
 * slash by wad of each of its assets); an oracle attesting balances (one of
 * them off by a few gwei, on purpose); and a "loyalty" points program,
 * joined by an "eigenlayer" one after a third of the history.
 * generator.c says how each is made.
 *
 * The history is a pure function of the options: its own PRNG (xoshiro256**
 * seeded by splitmix64), integer and GMP arithmetic only, no clock, no
 * locale.  The generator keeps the books itself with the engine's core as it
 * writes, so that every event it means to apply does apply (no overdraft, no
 * claim before finalization), and it knows the queue and the buffer when it
 * plans the treasury's moves.  The only rejections are the few claims it
 * makes too early on purpose.
 */
#ifndef LRT_DEMO_GENERATOR_H
#define LRT_DEMO_GENERATOR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Defaults: a quarter of daily epochs, a few hundred holders (~2,000 events,
 * well under a minute through the database in `make demo`). */
#define DEMO_SEED_DEFAULT 1
#define DEMO_EPOCHS_DEFAULT 90
#define DEMO_HOLDERS_DEFAULT 300

/* Ten years of daily epochs. */
#define DEMO_EPOCHS_MAX 3650
/* Every epoch visits every holder: this keeps a run to seconds. */
#define DEMO_HOLDERS_MAX 100000

typedef struct {
	uint64_t seed;
	int64_t epochs;          /* 1..DEMO_EPOCHS_MAX: epochs 0..epochs-1 */
	size_t holders;          /* 1..DEMO_HOLDERS_MAX */
} demo_options;

typedef struct {
	size_t events;           /* event lines written */
	size_t rejected;         /* claims made too early, on purpose */
	size_t requests;         /* withdrawal requests */
	size_t claims;           /* claims that apply */
	size_t allocations;      /* allocate events: the first ones and changes */
	size_t allocation_changes;
	size_t slashes;          /* slash events, every one by wad */
	int64_t slash_epoch;     /* -1 when there is none (fewer than 4 epochs) */
	char slash_operator[16];
	char slash_avs[16];
	size_t attests;          /* attest events, all but one matching the book */
	int64_t break_epoch;     /* the attest that does not match */
	char break_location[16];
	char break_asset[16];
	int64_t break_difference_wei;   /* observed - book */
	int64_t points_epoch;    /* the config adding "eigenlayer", or -1 */
} demo_summary;

/*
 * Writes the scenario to `out`: the product line, then every epoch's events
 * in time order, each with id, type, epoch, time and seq.  Returns 0;
 * LRT_EINVAL for options out of range; LRT_EIO when `out` fails; LRT_ENOMEM;
 * LRT_ESTATE when the model itself breaks a rule (an event it meant to apply
 * was rejected, or the guard stopped an epoch): a bug, named in the message.
 * `summary` may be NULL.
 */
int demo_generate(demo_summary *summary, FILE *out, const demo_options *options);

#endif
