"""The file store in an S3-compatible bucket (Ceph RGW, MinIO, a cloud's object storage), through boto3.

Same contract as :class:`hopnhat.files.store.FolderStore`: a content is read once from its source — hashed while it
is spooled to a local temporary file (in memory up to 8 MiB) — then uploaded under ``<prefix>objects/ab/cdef…``
unless the bucket already holds it. An S3 PUT is atomic (an object is visible only once whole) and durable once
acknowledged, so :meth:`S3Store.flush` has nothing to do; a multipart upload a killed run left open is aborted by
:meth:`S3Store.clear_partial`. Refused contents go to ``<prefix>quarantine/<sha256>``. The keys come from the
environment variables the merger file names (``files.s3.access_key_env`` / ``secret_key_env``), never from the file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from typing import Any, BinaryIO, cast

import boto3  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]
from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

from hopnhat.errors import ConfigError, OutputError
from hopnhat.files.kinds import HEAD, TAIL
from hopnhat.files.store import Copied, copy_hashing
from hopnhat.i18n import tr
from hopnhat.project.config import S3Spec

SPOOL = 8 << 20  # a content up to 8 MiB is spooled in memory, a larger one in a temporary file
_MISSING = ("404", "NoSuchKey", "NotFound")


def client(spec: S3Spec) -> Any:
    """A boto3 S3 client for the spec (path-style addressing, checksums only where S3 requires them — the
    S3-compatible servers in government data centres often predate the newer checksum headers)."""
    key, secret = os.environ.get(spec.access_key_env), os.environ.get(spec.secret_key_env)
    if not key or not secret:
        raise ConfigError(tr("Thiếu khóa truy cập kho S3", "The S3 store's keys are missing"),
                          value=f"{spec.access_key_env}, {spec.secret_key_env}",
                          hint=tr("đặt hai biến môi trường này", "set these two environment variables"))
    config = Config(s3={"addressing_style": "path"}, request_checksum_calculation="when_required",
                    response_checksum_validation="when_required", retries={"max_attempts": 5, "mode": "standard"},
                    max_pool_connections=16)
    return boto3.client("s3", endpoint_url=spec.endpoint, region_name=spec.region, aws_access_key_id=key,
                        aws_secret_access_key=secret, verify=spec.verify_tls, config=config)


def _missing(exc: ClientError) -> bool:
    return str(exc.response.get("Error", {}).get("Code", "")) in _MISSING


class S3Store:
    """The bucket store (``spec.bucket``, keys under ``spec.prefix``); the bucket is made when absent."""

    def __init__(self, spec: S3Spec, s3: Any | None = None) -> None:
        self.spec = spec
        self.s3 = s3 if s3 is not None else client(spec)
        self.bucket = spec.bucket
        self.prefix = spec.prefix
        self._ensure_bucket()

    def _ensure_bucket(self) -> None:
        try:
            self.s3.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            if not _missing(exc):
                raise self._error(exc) from exc
            self.s3.create_bucket(Bucket=self.bucket)
        except BotoCoreError as exc:
            raise self._error(exc) from exc

    def _error(self, exc: Exception) -> OutputError:
        return OutputError(tr("Không dùng được kho S3", "The S3 store cannot be used"),
                           value=f"{self.spec.endpoint}/{self.bucket}", reason=str(exc))

    def key(self, sha256: str) -> str:
        return f"{self.prefix}objects/{sha256[:2]}/{sha256[2:]}"

    def where(self, sha256: str) -> str:
        return f"s3://{self.bucket}/{self.key(sha256)}"

    def _size(self, key: str) -> int | None:
        try:
            return int(self.s3.head_object(Bucket=self.bucket, Key=key)["ContentLength"])
        except ClientError as exc:
            if _missing(exc):
                return None
            raise

    def has(self, sha256: str) -> bool:
        return self._size(self.key(sha256)) is not None

    def put(self, stream: BinaryIO, *, keep: bool = True) -> Copied:
        with tempfile.SpooledTemporaryFile(max_size=SPOOL) as spool:
            sha, size = copy_hashing(stream, spool.write)
            spool.seek(0)
            head = spool.read(HEAD)
            spool.seek(max(0, size - TAIL))
            tail = spool.read(TAIL)
            if not keep or self._size(self.key(sha)) == size:
                return Copied(sha, size, head, tail, False)
            spool.seek(0)
            self.s3.upload_fileobj(spool, self.bucket, self.key(sha))
            return Copied(sha, size, head, tail, True)

    def flush(self) -> None:
        """Nothing to do: an acknowledged PUT is durable."""

    def set_aside(self, sha256: str) -> None:
        target = f"{self.prefix}quarantine/{sha256}"
        self.s3.copy_object(Bucket=self.bucket, Key=target, CopySource={"Bucket": self.bucket, "Key": self.key(sha256)})
        self.s3.delete_object(Bucket=self.bucket, Key=self.key(sha256))

    def open(self, sha256: str) -> BinaryIO:
        try:
            body = self.s3.get_object(Bucket=self.bucket, Key=self.key(sha256))["Body"]
        except ClientError as exc:
            if _missing(exc):
                raise FileNotFoundError(self.where(sha256)) from exc
            raise
        return cast(BinaryIO, _Body(body))

    def hash_of(self, sha256: str) -> str | None:
        try:
            with self.open(sha256) as f:
                return copy_hashing(f, None)[0]
        except FileNotFoundError:
            return None

    def _keys(self, prefix: str) -> Iterator[str]:
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            for entry in page.get("Contents", ()):
                yield str(entry["Key"])

    def addresses(self) -> Iterator[str]:
        start = len(f"{self.prefix}objects/")
        for key in self._keys(f"{self.prefix}objects/"):
            yield key[start:].replace("/", "")

    def quarantined(self) -> list[str]:
        start = len(f"{self.prefix}quarantine/")
        return [key[start:] for key in self._keys(f"{self.prefix}quarantine/")]

    def clear_partial(self) -> int:
        uploads = self.s3.list_multipart_uploads(Bucket=self.bucket, Prefix=self.prefix).get("Uploads", [])
        for upload in uploads:
            self.s3.abort_multipart_upload(Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"])
        return len(uploads)

    def remove_all(self) -> None:
        """Delete every key under the prefix (tests and benches)."""
        keys = list(self._keys(self.prefix))
        for start in range(0, len(keys), 1000):
            chunk = [{"Key": k} for k in keys[start:start + 1000]]
            self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": chunk, "Quiet": True})


class _Body:
    """A downloaded object as a readable binary stream (``readinto`` for the hashing loop, a context manager)."""

    def __init__(self, body: Any) -> None:
        self.body = body

    def read(self, n: int = -1) -> bytes:
        return bytes(self.body.read(None if n < 0 else n))

    def readinto(self, buffer: memoryview) -> int:
        data = self.body.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.body.close()

    def __enter__(self) -> _Body:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
