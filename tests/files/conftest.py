"""The fixtures of tests/files: a real S3-compatible server (Ceph RGW, tests/files/rgwserver.py)."""

from tests.files.rgwserver import rgw_spec  # noqa: F401 - a session fixture used by the store contract tests
