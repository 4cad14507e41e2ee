"""Fixtures of the model tests."""

import socket

import pytest


@pytest.fixture
def offline(monkeypatch):
    """The env var alone is read when huggingface_hub is imported; refusing connections proves it."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")

    def refuse(*args, **kwargs):
        raise OSError("network access during an offline test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
