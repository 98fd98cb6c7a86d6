/*
 * lrt.h - the public API of lrt, the liquid restaking token accounting engine.
 *
 *   error.h     error codes and the last-error message
 *   amount.h    amounts and prices (GMP)
 *   product.h   a product's configuration
 *   event.h     events
 *   book.h      the books: applying events, settling epochs, the journal
 *   scenario.h  reading scenarios and events (JSON Lines), writing reports
 *   store.h     the PostgreSQL store: connecting and migrating
 *   catalog.h   products in a database
 *   ingest.h    loading event files into the inbox
 *   settler.h   settling epochs in the database
 *   export.h    exporting and verifying the stored books
 *   report.h    the reporting views: listing, reading, writing them
 *   report_html.h  the reports as one HTML page with SVG charts
 *   status.h    how each product's settlement stands; the metrics file
 *   service.h   what lrt serve needs of a connection: LISTEN, leadership
 *   version.h   the library version
 *   common.h    LRT_API, the export marker every declaration carries
 */
#ifndef LRT_LRT_H
#define LRT_LRT_H

#include "lrt/error.h"
#include "lrt/amount.h"
#include "lrt/product.h"
#include "lrt/event.h"
#include "lrt/book.h"
#include "lrt/scenario.h"
#include "lrt/store.h"
#include "lrt/catalog.h"
#include "lrt/ingest.h"
#include "lrt/settler.h"
#include "lrt/export.h"
#include "lrt/report.h"
#include "lrt/report_html.h"
#include "lrt/status.h"
#include "lrt/service.h"
#include "lrt/version.h"

#endif
