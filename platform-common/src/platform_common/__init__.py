"""What every service of the platform does alike: settings, logs, metrics, health endpoints."""

__version__ = "0.1.0"
