-- Work that one node of several does at a time (the daily audit, reminders and overdue
-- notices, the mail queue, pruning, availability probes): the node holding a lease does it
-- and renews it; a node that died leaves its work to another once the lease has run out.
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until_at INTEGER NOT NULL
);
