-- An update.result that says the kiosk will try the same release again by itself (a damaged
-- file, a full disk, the network: nothing wrong with the signed release). The server keeps
-- offering the release to such a device; a failure without it stops the offers.
ALTER TABLE rollout_results ADD COLUMN retrying INTEGER NOT NULL DEFAULT 0;
