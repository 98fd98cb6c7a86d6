-- 0005_limits.sql - each bound written once, in src/core/limits.h.
--
-- 0001 typed the bounds of the product tables into CHECK constraints, and
-- two of them had drifted from the C validator (max_apr_bps and
-- max_rate_change_bps allowed 4294967295, limits.h 1000000000).  They are
-- dropped here; sql/limits.sql, which the build generates from limits.h
-- (src/tools/limits_sql.c) and every `lrt migrate` re-applies, states them
-- again as the validator applies them, with the view lrt.limits.

ALTER TABLE lrt.product_state
    DROP CONSTRAINT product_state_fee_bps_check,
    DROP CONSTRAINT product_state_delay_epochs_check,
    DROP CONSTRAINT product_state_max_apr_bps_check,
    DROP CONSTRAINT product_state_max_rate_change_bps_check;
ALTER TABLE lrt.products DROP CONSTRAINT products_decimals_offset_check;
ALTER TABLE lrt.product_assets DROP CONSTRAINT product_assets_decimals_check;
