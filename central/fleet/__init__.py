"""Releases and staged rollouts: bundles, building, serving files, the rollout rules and state."""
