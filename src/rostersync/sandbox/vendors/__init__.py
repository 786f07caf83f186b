"""One emulator module per vendor (``hibob``, ...), each independent of the others.

Each module exposes ``create_app(company, *, <vendor credentials>, faults=None)`` returning
an ASGI app that serves the vendor's documented paths at the root plus the ``/_sandbox``
control endpoints. The registry of all of them is :data:`rostersync.sandbox.registry.EMULATORS`.
"""
