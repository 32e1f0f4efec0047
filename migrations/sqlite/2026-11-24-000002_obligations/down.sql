DROP TABLE registry_version;
DROP TABLE outbox;
DROP TABLE sam_returns;
DROP TABLE obligation_waivers;
DROP TABLE holidays;
