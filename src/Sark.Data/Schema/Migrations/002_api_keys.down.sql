-- sark:destructive
-- Reverts 002_api_keys: drops api_keys and every key in it.

DROP TABLE api_keys;
