-- "Call next" reads the first waiting ticket of each service the counter calls from (and of
-- those transferred to the counter) in queue order. With tickets_waiting alone SQLite gathered
-- every waiting ticket of the day and sorted them inside the write lock (5 ms with 9,000
-- waiting); these partial indexes are in queue order, so each lookup reads one entry.
CREATE INDEX tickets_queue_order ON tickets (site_id, day, queue_service, priority IS NULL, issued_at, number)
    WHERE state = 'waiting' AND voided = 0 AND target_counter IS NULL;
CREATE INDEX tickets_queue_counter ON tickets (site_id, day, target_counter, priority IS NULL, issued_at, number)
    WHERE state = 'waiting' AND voided = 0 AND target_counter IS NOT NULL;
