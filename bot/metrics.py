"""Prometheus metrics: ids, counts and latencies only, never pasted text."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    """The bot's metrics, in a registry of their own (one per app)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.events = Counter(
            "iamrole_events",
            "Slack events and what became of them",
            ["kind", "outcome"],
            registry=self.registry,
        )
        self.diagnoses = Counter(
            "iamrole_diagnoses", "Diagnoses answered, per cause", ["cause"], registry=self.registry
        )
        self.feedback = Counter(
            "iamrole_feedback", "Feedback per cause", ["cause", "verdict"], registry=self.registry
        )
        self.errors = Counter(
            "iamrole_errors", "Failures while handling requests", ["kind"], registry=self.registry
        )
        self.latency = Histogram(
            "iamrole_handling_seconds",
            "Time from receiving a request to finishing its work",
            ["kind"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.in_flight = Gauge("iamrole_tasks_in_flight", "Background tasks running", registry=self.registry)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
