-- sark:destructive
-- Reverts 001_initial: drops the v1 user, team and MCP tables and their enum types.
-- All rows in these tables are lost (indexes and constraints go with their tables).

DROP TABLE mcp_tools;
DROP TABLE mcp_servers;
DROP TABLE user_teams;
DROP TABLE teams;
DROP TABLE users;

DROP TYPE serverstatus;
DROP TYPE sensitivitylevel;
DROP TYPE transporttype;
