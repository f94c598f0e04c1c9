"""Read-only role inspection: access through the read-only role, snapshots, findings."""
