/*
 * check_erc4626.c - the `erc4626` model against OpenZeppelin's ERC4626 (v5).
 *
 * With fee 0 and one vault operation per epoch, the books must give exactly
 * OpenZeppelin's figures:
 *
 *     previewDeposit(assets) = assets * (totalSupply + 10**offset)
 *                                     / (totalAssets + 1),  rounded down
 *     previewRedeem(shares)  = shares * (totalAssets + 1)
 *                                     / (totalSupply + 10**offset), rounded down
 *
 * The cases below were worked out from those two formulas alone, with
 * python3 integers, as a vault whose totalAssets() is its balance:
 *
 *   - a deposit mints previewDeposit and adds to totalAssets;
 *   - a `reward` to the buffer is a donation (a plain transfer to the vault),
 *     a `slash` a loss of vault assets; here they reach A at settlement, which
 *     is before the next operation's epoch, so the figures agree;
 *   - a `withdraw` with delay 0 and a buffer large enough is finalized at its
 *     epoch's settlement with payout min(cap, batch rate); nothing changed in
 *     between, so both equal previewRedeem, i.e. OpenZeppelin's redeem();
 *   - a `transfer` is an ERC-20 transfer of shares;
 *   - `move` events (stake/unstake between buffer and an operator) are not
 *     vault operations: they change no figure of either.
 *
 * After every operation: A = totalAssets(), S = totalSupply(), the shares
 * minted or the assets paid.  The reverts are rejections (ERC20's
 * insufficient balance on a transfer, ERC4626ExceededMaxRedeem on a redeem).
 *
 * Where this SPEC differs from OpenZeppelin, on purpose:
 *   - OpenZeppelin's deposit() does not revert when previewDeposit is 0: it
 *     takes the assets and mints 0 shares.  SPEC section 3 rejects such a
 *     deposit ("deposit mints zero shares"), so the depositor keeps the
 *     assets and nothing changes.
 *   - OpenZeppelin's redeem(0) succeeds and pays 0; SPEC section 4 rejects a
 *     withdrawal of zero shares.
 *
 * OpenZeppelin's inflation-attack example follows at offsets 0 and 3: the
 * attacker deposits 1 wei, donates 1e18 (a `reward` to the buffer), the
 * victim deposits; at offset 0 the victim's deposit mints 0 shares (0.5e18,
 * rejected here) or 1 share (1e18, losing a third); at offset 3 the victim
 * keeps 99.93% and 99.97% of the deposit and the attacker loses.
 */
#include <check.h>
#include <gmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book_fixture.h"

#define STEPS_MAX 32

typedef enum {
	OP_DEPOSIT,     /* holder deposits `amount` ETH */
	OP_REWARD,      /* a donation of `amount` to the vault's buffer */
	OP_SLASH,       /* a loss of `amount` at the operator p2p */
	OP_STAKE,       /* move `amount` buffer -> p2p: no vault operation */
	OP_UNSTAKE,     /* move `amount` p2p -> buffer: no vault operation */
	OP_TRANSFER,    /* holder transfers `amount` shares to `to` */
	OP_REDEEM       /* holder redeems `amount` shares (a withdraw) */
} op_kind;

/* A result that OpenZeppelin reverts, or (deposit, redeem of 0) that the
 * SPEC rejects. */
#define REJECT "rejected"

typedef struct {
	op_kind op;
	const char *holder;
	const char *to;
	const char *amount;
	const char *result;         /* shares minted, assets paid, or REJECT */
	const char *total_assets;   /* totalAssets() after */
	const char *total_shares;   /* totalSupply() after */
} oz_step;

/* Runs one operation in its own epoch and checks OpenZeppelin's figures. */
static void run_step(lrt_book *book, const oz_step *step, const char *id,
		     size_t index)
{
	lrt_epoch_report report;
	mpz_t before, after;
	bool rejected = step->result != NULL && strcmp(step->result, REJECT) == 0;
	int rc = 0;

	mpz_init(before);
	mpz_init(after);
	if (step->holder != NULL)
		lrt_book_holder_shares(before, book, step->holder);
	switch (step->op) {
	case OP_DEPOSIT:
		rc = fx_deposit(book, id, step->holder, "ETH", step->amount);
		break;
	case OP_REWARD:
		rc = fx_reward(book, id, "donor", "buffer", "ETH", step->amount);
		break;
	case OP_SLASH:
		rc = fx_slash(book, id, "p2p", "avs", "ETH", step->amount);
		break;
	case OP_STAKE:
		rc = fx_move(book, id, "ETH", step->amount, "buffer", "p2p");
		break;
	case OP_UNSTAKE:
		rc = fx_move(book, id, "ETH", step->amount, "p2p", "buffer");
		break;
	case OP_TRANSFER:
		rc = fx_transfer(book, id, step->holder, step->to, step->amount);
		break;
	case OP_REDEEM:
		rc = fx_withdraw(book, id, step->holder, step->amount);
		break;
	}
	if (rejected)
		ck_assert_msg(rc == LRT_EREJECT, "step %zu: %d, expected a rejection",
			      index, rc);
	else
		ck_assert_msg(rc == 0, "step %zu: %d (%s)", index, rc,
			      lrt_error_last());

	lrt_epoch_report_init(&report);
	rc = fx_settle(book, &report);
	ck_assert_msg(rc == 0, "step %zu: settle %d (%s)", index, rc,
		      lrt_error_last());
	ck_assert_msg(report.rejected_count == (rejected ? 1u : 0u),
		      "step %zu: %zu rejected", index, report.rejected_count);
	if (rejected)
		ck_assert_str_eq(report.rejected[0].id, id);

	if (step->op == OP_DEPOSIT && !rejected) {
		/* previewDeposit */
		lrt_book_holder_shares(after, book, step->holder);
		mpz_sub(after, after, before);
		FX_ASSERT_MPZ(after, step->result);
	}
	if (step->op == OP_REDEEM && !rejected) {
		/* previewRedeem, paid at once */
		ck_assert_msg(report.finalized_count == 1, "step %zu: %zu finalized",
			      index, report.finalized_count);
		ck_assert_str_eq(report.finalized[0].request, id);
		FX_ASSERT_MPZ(report.finalized[0].shares, step->amount);
		FX_ASSERT_MPZ(report.finalized[0].payout, step->result);
	} else {
		ck_assert_msg(report.finalized_count == 0, "step %zu: %zu finalized",
			      index, report.finalized_count);
	}
	FX_ASSERT_MPZ(report.total_assets, step->total_assets);
	FX_ASSERT_MPZ(report.total_shares, step->total_shares);
	FX_ASSERT_MPZ(report.fee_shares, "0");
	FX_ASSERT_MPZ(report.deferred, "0");
	lrt_epoch_report_clear(&report);
	mpz_clear(after);
	mpz_clear(before);
}

static void run_steps(unsigned offset, const oz_step *steps, size_t count)
{
	char ids[STEPS_MAX][16];
	lrt_book *book = fx_book_eth(LRT_MODEL_ERC4626, offset);

	ck_assert_uint_le(count, STEPS_MAX);
	for (size_t i = 0; i < count; i++) {
		snprintf(ids[i], sizeof(ids[i]), "e%zu", i);
		run_step(book, &steps[i], ids[i], i);
	}
	lrt_book_free(book);
}

#define RUN_STEPS(offset, steps) \
	run_steps((offset), (steps), sizeof(steps) / sizeof((steps)[0]))

/* ---- a sequence of vault operations --------------------------------------- */

START_TEST(test_openzeppelin_sequence_offset0)
{
	static const oz_step steps[] = {
		{ OP_DEPOSIT, "alice", NULL, "1000000000000000003", "1000000000000000003",
		  "1000000000000000003", "1000000000000000003" },
		{ OP_STAKE, NULL, NULL, "200000000000000000", NULL,
		  "1000000000000000003", "1000000000000000003" },
		{ OP_REWARD, NULL, NULL, "333333333333333333", NULL,
		  "1333333333333333336", "1000000000000000003" },
		/* 777777777777777777 * 1000000000000000004 / 1333333333333333337 */
		{ OP_DEPOSIT, "bob", NULL, "777777777777777777", "583333333333333333",
		  "2111111111111111113", "1583333333333333336" },
		{ OP_SLASH, NULL, NULL, "123456789123456789", NULL,
		  "1987654321987654324", "1583333333333333336" },
		{ OP_TRANSFER, "alice", "carol", "100000000000000000", NULL,
		  "1987654321987654324", "1583333333333333336" },
		/* ERC20InsufficientBalance */
		{ OP_TRANSFER, "carol", "alice", "100000000000000001", REJECT,
		  "1987654321987654324", "1583333333333333336" },
		/* 1e17 * 1987654321987654325 / 1583333333333333337 */
		{ OP_REDEEM, "carol", NULL, "100000000000000000", "125536062441325536",
		  "1862118259546328788", "1483333333333333336" },
		{ OP_REDEEM, "bob", NULL, "194444444444444444", "244097899191466319",
		  "1618020360354862469", "1288888888888888892" },
		{ OP_REWARD, NULL, NULL, "5", NULL,
		  "1618020360354862474", "1288888888888888892" },
		/* 1 * 1288888888888888893 / 1618020360354862475 = 0: OpenZeppelin
		 * mints 0 shares and keeps the wei; the SPEC rejects */
		{ OP_DEPOSIT, "dave", NULL, "1", REJECT,
		  "1618020360354862474", "1288888888888888892" },
		{ OP_UNSTAKE, NULL, NULL, "76543210876543211", NULL,
		  "1618020360354862474", "1288888888888888892" },
		{ OP_REDEEM, "alice", NULL, "900000000000000003", "1129824561971929831",
		  "488195798382932643", "388888888888888889" },
		/* ERC4626ExceededMaxRedeem */
		{ OP_REDEEM, "alice", NULL, "1", REJECT,
		  "488195798382932643", "388888888888888889" },
		/* the last holder leaves; the virtual asset's dust stays */
		{ OP_REDEEM, "bob", NULL, "388888888888888889", "488195798382932642",
		  "1", "0" },
		/* redeem(0) pays 0 in OpenZeppelin; the SPEC rejects zero shares */
		{ OP_REDEEM, "dave", NULL, "0", REJECT, "1", "0" },
	};

	RUN_STEPS(0, steps);
}
END_TEST

START_TEST(test_openzeppelin_sequence_offset3)
{
	static const oz_step steps[] = {
		{ OP_DEPOSIT, "alice", NULL, "1000000000000000003", "1000000000000000003000",
		  "1000000000000000003", "1000000000000000003000" },
		{ OP_STAKE, NULL, NULL, "200000000000000000", NULL,
		  "1000000000000000003", "1000000000000000003000" },
		{ OP_REWARD, NULL, NULL, "333333333333333333", NULL,
		  "1333333333333333336", "1000000000000000003000" },
		{ OP_DEPOSIT, "bob", NULL, "777777777777777777", "583333333333333333479",
		  "2111111111111111113", "1583333333333333336479" },
		{ OP_SLASH, NULL, NULL, "123456789123456789", NULL,
		  "1987654321987654324", "1583333333333333336479" },
		{ OP_TRANSFER, "alice", "carol", "100000000000000000000", NULL,
		  "1987654321987654324", "1583333333333333336479" },
		{ OP_TRANSFER, "carol", "alice", "100000000000000000001", REJECT,
		  "1987654321987654324", "1583333333333333336479" },
		/* one wei less than at offset 0: the larger virtual share */
		{ OP_REDEEM, "carol", NULL, "100000000000000000000", "125536062441325535",
		  "1862118259546328789", "1483333333333333336479" },
		{ OP_REDEEM, "bob", NULL, "194444444444444444493", "244097899191466320",
		  "1618020360354862469", "1288888888888888891986" },
		{ OP_REWARD, NULL, NULL, "5", NULL,
		  "1618020360354862474", "1288888888888888891986" },
		/* 1 * (1288888888888888891986 + 1000) / 1618020360354862475 = 796.6 */
		{ OP_DEPOSIT, "dave", NULL, "1", "796",
		  "1618020360354862475", "1288888888888888892782" },
		{ OP_UNSTAKE, NULL, NULL, "76543210876543211", NULL,
		  "1618020360354862475", "1288888888888888892782" },
		{ OP_REDEEM, "alice", NULL, "900000000000000003000", "1129824561971929831",
		  "488195798382932644", "388888888888888889782" },
		{ OP_REDEEM, "alice", NULL, "1", REJECT,
		  "488195798382932644", "388888888888888889782" },
		{ OP_REDEEM, "bob", NULL, "388888888888888888986", "488195798382932642",
		  "2", "796" },
		{ OP_REDEEM, "dave", NULL, "0", REJECT, "2", "796" },
		{ OP_REDEEM, "dave", NULL, "797", REJECT, "2", "796" },
		/* 796 * (2 + 1) / (796 + 1000) = 1.33 */
		{ OP_REDEEM, "dave", NULL, "796", "1", "1", "0" },
	};

	RUN_STEPS(3, steps);
}
END_TEST

START_TEST(test_openzeppelin_round_trip)
{
	/* deposit then redeem everything at once: previewRedeem(previewDeposit(a))
	 * never exceeds a.  A = 10 wei, S = 7 after a slash of 3 (offset 0). */
	static const oz_step steps[] = {
		{ OP_DEPOSIT, "alice", NULL, "10", "10", "10", "10" },
		{ OP_STAKE, NULL, NULL, "5", NULL, "10", "10" },
		{ OP_SLASH, NULL, NULL, "3", NULL, "7", "10" },
		/* 100 * 11 / 8 = 137.5 */
		{ OP_DEPOSIT, "bob", NULL, "100", "137", "107", "147" },
		/* 137 * 108 / 148 = 99.97 */
		{ OP_REDEEM, "bob", NULL, "137", "99", "8", "10" },
		{ OP_UNSTAKE, NULL, NULL, "2", NULL, "8", "10" },
		/* 10 * 9 / 11 = 8.18: alice lost to the slash */
		{ OP_REDEEM, "alice", NULL, "10", "8", "0", "0" },
	};

	RUN_STEPS(0, steps);
}
END_TEST

/* ---- the inflation attack ---------------------------------------------------- */

START_TEST(test_inflation_attack_offset0_zero_shares)
{
	static const oz_step steps[] = {
		{ OP_DEPOSIT, "attacker", NULL, "1", "1", "1", "1" },
		{ OP_REWARD, NULL, NULL, "1" FX_E18, NULL, "1000000000000000001", "1" },
		/* 0.5e18 * (1 + 1) / (1e18 + 1 + 1) = 0: OpenZeppelin would take
		 * the 0.5e18 for 0 shares; here the deposit is rejected */
		{ OP_DEPOSIT, "victim", NULL, "500000000000000000", REJECT,
		  "1000000000000000001", "1" },
	};
	lrt_book *book = fx_book_eth(LRT_MODEL_ERC4626, 0);

	RUN_STEPS(0, steps);
	/* and the rejected deposit leaves everything as it was */
	FX_ASSERT_APPLIED(fx_deposit(book, "a1", "attacker", "ETH", "1"));
	fx_settle_ok(book);
	FX_ASSERT_APPLIED(fx_reward(book, "a2", "attacker", "buffer", "ETH", "1" FX_E18));
	fx_settle_ok(book);
	/* rate = 1e18 * (1e18 + 2) / 2 */
	FX_ASSERT_RATE(book, "500000000000000001000000000000000000");
	FX_ASSERT_REJECTED_BECAUSE(book,
		fx_deposit(book, "v1", "victim", "ETH", "500000000000000000"),
		"deposit mints zero shares");
	FX_ASSERT_HOLDER(book, "victim", "0");
	lrt_book_free(book);
}
END_TEST

START_TEST(test_inflation_attack_offset0)
{
	static const oz_step steps[] = {
		{ OP_DEPOSIT, "attacker", NULL, "1", "1", "1", "1" },
		{ OP_REWARD, NULL, NULL, "1" FX_E18, NULL, "1000000000000000001", "1" },
		/* 1e18 * 2 / (1e18 + 2) = 1.99...: one share for 1e18 */
		{ OP_DEPOSIT, "victim", NULL, "1" FX_E18, "1", "2000000000000000001", "2" },
		/* 1 * (2e18 + 2) / (2 + 1) = 666666666666666667.3 */
		{ OP_REDEEM, "attacker", NULL, "1", "666666666666666667",
		  "1333333333333333334", "1" },
		/* 1 * 1333333333333333335 / 2: the victim gets 2/3 of the deposit;
		 * the virtual share keeps the rest */
		{ OP_REDEEM, "victim", NULL, "1", "666666666666666667",
		  "666666666666666667", "0" },
	};

	RUN_STEPS(0, steps);
}
END_TEST

START_TEST(test_inflation_attack_offset3)
{
	static const oz_step steps[] = {
		{ OP_DEPOSIT, "attacker", NULL, "1", "1000", "1", "1000" },
		{ OP_REWARD, NULL, NULL, "1" FX_E18, NULL, "1000000000000000001", "1000" },
		/* 1e18 * (1000 + 1000) / (1e18 + 2) = 1999.99... */
		{ OP_DEPOSIT, "victim", NULL, "1" FX_E18, "1999", "2000000000000000001",
		  "2999" },
		/* 1000 * (2e18 + 2) / (2999 + 1000) */
		{ OP_REDEEM, "attacker", NULL, "1000", "500125031257814454",
		  "1499874968742185547", "1999" },
		/* 1999 * 1499874968742185548 / 2999: 99.97% of the deposit back,
		 * while the attacker lost half of the 1e18 donated */
		{ OP_REDEEM, "victim", NULL, "1999", "999749937484371093",
		  "500125031257814454", "0" },
	};

	RUN_STEPS(3, steps);
}
END_TEST

START_TEST(test_inflation_attack_offset3_small_victim)
{
	static const oz_step steps[] = {
		{ OP_DEPOSIT, "attacker", NULL, "1", "1000", "1", "1000" },
		{ OP_REWARD, NULL, NULL, "1" FX_E18, NULL, "1000000000000000001", "1000" },
		/* the deposit that mints nothing at offset 0 mints 999 shares:
		 * 0.5e18 * 2000 / (1e18 + 2) = 999.99... */
		{ OP_DEPOSIT, "victim", NULL, "500000000000000000", "999",
		  "1500000000000000001", "1999" },
		{ OP_REDEEM, "attacker", NULL, "1000", "500166722240746916",
		  "999833277759253085", "999" },
		/* 999 * 999833277759253086 / 1999: 99.93% back */
		{ OP_REDEEM, "victim", NULL, "999", "499666555518506169",
		  "500166722240746916", "0" },
	};

	RUN_STEPS(3, steps);
}
END_TEST

Suite *erc4626_suite(void)
{
	Suite *suite = suite_create("erc4626");
	TCase *sequence = tcase_create("sequence");
	TCase *inflation = tcase_create("inflation");

	tcase_add_test(sequence, test_openzeppelin_sequence_offset0);
	tcase_add_test(sequence, test_openzeppelin_sequence_offset3);
	tcase_add_test(sequence, test_openzeppelin_round_trip);
	suite_add_tcase(suite, sequence);

	tcase_add_test(inflation, test_inflation_attack_offset0_zero_shares);
	tcase_add_test(inflation, test_inflation_attack_offset0);
	tcase_add_test(inflation, test_inflation_attack_offset3);
	tcase_add_test(inflation, test_inflation_attack_offset3_small_victim);
	suite_add_tcase(suite, inflation);
	return suite;
}
