-- sark:destructive
-- Reverts 014_cost_rollups: drops the rollup tables and their state. Destroys the totals of buckets
-- whose cost rows retention has dropped since they were rolled up; the rest a refresh recomputes
-- from cost_tracking.
DROP TABLE cost_rollup_state;
DROP TABLE cost_rollup_daily;
DROP TABLE cost_rollup_hourly;
