"""Storage: the one contract (`contract.CentralStore`), the records it speaks in (`records`) and
its implementations (sqlite/)."""
