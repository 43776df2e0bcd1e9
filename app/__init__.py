"""chainrule's web service: sessions over REST and live training over WebSocket."""

__version__ = "0.1.0"
