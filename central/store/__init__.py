"""Storage: the one contract (`contract.CentralStore`) and its implementations (sqlite/)."""
