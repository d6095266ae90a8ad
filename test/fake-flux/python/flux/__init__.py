"""The double's stand-in for flux-core's Python package (only what jobgate's bridge uses)."""

from flux import _fake


def Flux(url=None, flags=0):  # noqa: N802 - the real API's name
    return _fake.Handle(url)
