"""Desired state x current state -> a Plan (pure: data in, data out, no HTTP and no files),
and its rendering as text and JSON.
"""
