/*
 * event.c - the event value type: its GMP fields and its type names.
 */
#include <string.h>

#include "lrt/event.h"

static const char *const type_names[LRT_EVENT_TYPE_COUNT] = {
	[LRT_EVENT_DEPOSIT] = "deposit",
	[LRT_EVENT_WITHDRAW] = "withdraw",
	[LRT_EVENT_TRANSFER] = "transfer",
	[LRT_EVENT_REWARD] = "reward",
	[LRT_EVENT_SLASH] = "slash",
	[LRT_EVENT_MOVE] = "move",
	[LRT_EVENT_SWAP] = "swap",
	[LRT_EVENT_PRICE] = "price",
	[LRT_EVENT_CLAIM] = "claim",
	[LRT_EVENT_CONFIG] = "config",
	[LRT_EVENT_ACCEPT] = "accept",
	[LRT_EVENT_ALLOCATE] = "allocate",
	[LRT_EVENT_CANCEL] = "cancel",
	[LRT_EVENT_ATTEST] = "attest",
};

void lrt_event_init(lrt_event *event)
{
	memset(event, 0, sizeof(*event));
	mpz_init(event->amount);
	mpz_init(event->amount_out);
	mpq_init(event->price);
}

void lrt_event_clear(lrt_event *event)
{
	mpz_clear(event->amount);
	mpz_clear(event->amount_out);
	mpq_clear(event->price);
	memset(event, 0, sizeof(*event));
}

const char *lrt_event_type_name(lrt_event_type type)
{
	if ((int)type < 0 || type >= LRT_EVENT_TYPE_COUNT)
		return NULL;
	return type_names[type];
}

int lrt_event_type_parse(const char *name)
{
	int i;

	for (i = 0; i < LRT_EVENT_TYPE_COUNT; i++)
		if (strcmp(type_names[i], name) == 0)
			return i;
	return -1;
}
