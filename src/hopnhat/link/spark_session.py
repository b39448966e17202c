"""Spark sessions for linkage: sized from the machine and the data, every setting overridable, failing fast.

- **Sizing** (:func:`default_conf`): the driver heap grows with the input rows (2 GB + 32 KB a row, at most a quarter
  of the machine's RAM), shuffle partitions with the rows and the cores (``local[N]``, ``local-cluster[N,C,MB]``: twice
  the cores for small tables, not Spark's 200), and Spark's scratch space (``spark.local.dir``, checkpoints)
  lives in one temporary folder removed when the session stops. ``--spark-conf KEY=VALUE`` / ``linkage.spark_conf``
  override any of it; ``--spark-master`` / ``linkage.spark_master`` choose the cluster.
- **Fail fast**: the JVMs run with ``-XX:+ExitOnOutOfMemoryError`` (a full heap ends the JVM instead of leaving it
  hung with some threads dead); a ``spark://`` master is probed over TCP before anything starts; a watchdog thread
  interrupts the command if the driver JVM dies while Python waits on it; :func:`guarded` turns what happened into
  one :class:`SparkFailure` (what ran out, which setting to raise), and the JVM is always shut down (never orphaned).
"""

from __future__ import annotations

import _thread
import logging
import math
import os
import re
import shutil
import socket
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from hopnhat.errors import ConfigError, HopnhatError, InputError
from hopnhat.i18n import tr
from hopnhat.project.config import SPARK_KEY, SPARK_MASTER

OOM_FLAG = "-XX:+ExitOnOutOfMemoryError"
OOM_EXIT = 3  # the JVM's exit status after ExitOnOutOfMemoryError
HEARTBEAT_EXIT = 56  # Spark's executor exit status after spark.executor.heartbeat.maxFailures failed heartbeats
PROBE_SECONDS = 5.0
MB = 1024 * 1024
LOCAL_CLUSTER = re.compile(r"^local-cluster\[(\d+),(\d+),\d+\]$")
LOCAL_N = re.compile(r"^local\[(\d+)(,\d+)?\]$")


class SparkFailure(HopnhatError):
    """Spark could not finish (out of memory, an executor lost, a master out of reach): exit 1, not bad input."""


@dataclass(frozen=True)
class SparkOptions:
    """Where Spark runs and the settings given by the user (CLI or merger file); the rest is sized by default."""

    master: str | None = None
    conf: Mapping[str, str] = field(default_factory=dict)


def parse_conf(items: Sequence[str], option: str = "--spark-conf") -> dict[str, str]:
    """``KEY=VALUE`` strings to a dict; a key that is not ``spark.…`` or an empty value is refused (exit 2)."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not value or not SPARK_KEY.match(key):
            raise InputError(f"{option} must be KEY=VALUE with a Spark setting as KEY", key=option, value=item,
                             reason="the key must start with 'spark.' and a value must follow '='",
                             hint=f"e.g. {option} spark.driver.memory=4g")
        out[key] = value
    return out


def check_master(master: str | None, option: str = "--spark-master") -> str | None:
    """A master URL Spark knows (local[N], local-cluster[n,c,mb], spark://host:port, yarn, k8s://…) or refused."""
    if master is None or not master.strip():
        return None
    if not SPARK_MASTER.match(master.strip()):
        raise InputError(f"{option} is not a Spark master URL", key=option, value=master,
                         reason="expected local[N], local-cluster[N,CORES,MB], spark://host:port, yarn or k8s://…",
                         hint=f"e.g. {option} spark://10.0.0.5:7077")
    return master.strip()


def total_memory() -> int:
    """Bytes of RAM on this machine."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def driver_memory_mb(rows: int, ram: int | None = None) -> int:
    """2 GB + 32 KB per input row, at most a quarter of RAM (at least 1 GB), in multiples of 256 MB."""
    ram = total_memory() if ram is None else ram
    wanted = 2048 + rows * 32 / 1024
    cap = max(1024, ram // MB // 4)
    return int(min(wanted, cap) // 256 * 256)


def known_cores(master: str, threads: int) -> int | None:
    """Cores the master gives when the URL says so: ``local[N]`` (``threads`` for ``local`` / ``local[*]``) and
    ``local-cluster[N,CORES,MB]`` (N × CORES); None for a real cluster, whose size the URL does not tell."""
    found = LOCAL_CLUSTER.match(master)
    if found:
        return int(found.group(1)) * int(found.group(2))
    found = LOCAL_N.match(master)
    if found:
        return int(found.group(1))
    return threads if master.startswith("local") else None


def default_conf(rows: int, threads: int, master: str, scratch: str, ram: int | None = None) -> dict[str, str]:
    """The settings hopnhat chooses (before the user's): see the module doc."""
    cores = known_cores(master, threads)
    heap = driver_memory_mb(rows, ram)
    partitions = (max(2 * cores, min(2000, math.ceil(rows / 50_000))) if cores is not None
                  else max(200, rows // 50_000))
    return {
        "spark.driver.memory": f"{heap}m",
        "spark.driver.maxResultSize": f"{heap // 2}m",  # scored pairs come back to the driver as Arrow
        "spark.sql.shuffle.partitions": str(partitions),
        "spark.default.parallelism": str(partitions),
        "spark.local.dir": os.path.join(scratch, "local"),
        "spark.checkpoint.dir": os.path.join(scratch, "checkpoints"),  # one machine: its disk; a cluster: the user's
        "spark.driver.extraJavaOptions": OOM_FLAG,
        "spark.executor.extraJavaOptions": OOM_FLAG,
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.session.timeZone": "UTC",
        "spark.network.timeout": "120s",
        "spark.executor.heartbeatInterval": "10s",
    }


def merged_conf(defaults: Mapping[str, str], user: Mapping[str, str]) -> dict[str, str]:
    """User settings over the defaults; Java options keep the exit-on-OOM flag the user's options lack."""
    out = {**defaults, **user}
    for key in ("spark.driver.extraJavaOptions", "spark.executor.extraJavaOptions"):
        if OOM_FLAG not in out[key] and "OutOfMemoryError" not in out[key]:
            out[key] = f"{out[key]} {OOM_FLAG}".strip()
    return out


def check_checkpoints(master: str, conf: Mapping[str, str], threads: int = 2) -> None:
    """On a real cluster (executors on other machines) Splink's parquet checkpoints must go where the driver and
    every executor read and write the same files: ``spark.checkpoint.dir`` given (hdfs://, s3a://, a shared mount),
    or refused now (a folder in the driver's temp dir would leave each executor's part on its own disk)."""
    if known_cores(master, threads) is None and not conf.get("spark.checkpoint.dir"):
        raise ConfigError(tr("trên một cụm Spark cần spark.checkpoint.dir dùng chung",
                             "a Spark cluster needs a shared spark.checkpoint.dir"), key="spark.checkpoint.dir",
                          value=master, reason=tr("Splink ghi các bảng trung gian (parquet) vào đó; driver và mọi "
                                                  "executor phải thấy cùng các tệp", "Splink writes its intermediate "
                                                  "tables there as parquet; the driver and every executor must see "
                                                  "the same files"),
                          hint=tr("ví dụ --spark-conf spark.checkpoint.dir=hdfs:///tmp/hopnhat (hoặc s3a://…, một "
                                  "thư mục chia sẻ)", "e.g. --spark-conf spark.checkpoint.dir=hdfs:///tmp/hopnhat (or "
                                  "s3a://…, a shared mount)"))


def probe_master(master: str, seconds: float = PROBE_SECONDS) -> None:
    """A ``spark://`` master that does not answer on TCP is a :class:`SparkFailure` now, not after Spark's own
    minute of retries."""
    if not master.startswith("spark://"):
        return
    errors = []
    for address in master[len("spark://"):].split(","):
        host, _, port = address.rpartition(":")
        try:
            with socket.create_connection((host, int(port)), timeout=seconds):
                return
        except (OSError, ValueError) as exc:
            errors.append(f"{address}: {exc}")
    raise SparkFailure(tr("không tới được master của Spark", "the Spark master cannot be reached"),
                       key="spark master", value=master, reason="; ".join(errors),
                       hint=tr("kiểm tra --spark-master / linkage.spark_master, và master đang chạy, tới được từ "
                               "máy này (cổng 7077 mặc định)", "check --spark-master / linkage.spark_master and that "
                               "the master is running and reachable from this machine (port 7077 by default)"))


# --- the session and its JVM ---------------------------------------------------------------------------------------

@dataclass
class SparkRun:
    """A running session, its JVM process (local driver), scratch folder, and what the watchdog saw."""

    session: Any
    conf: dict[str, str]
    scratch: str
    proc: Any = None
    jvm_exit: int | None = None
    stopping: bool = False


def _builder(master: str, conf: Mapping[str, str]) -> Any:
    from pyspark.sql import SparkSession
    from splink.internals.spark.jar_location import similarity_jar_location

    builder = SparkSession.builder.master(master).appName("hopnhat-link").config("spark.jars",
                                                                                similarity_jar_location())
    for key, value in conf.items():
        builder = builder.config(key, value)
    return builder


def start(options: SparkOptions, rows: int, threads: int = 2) -> SparkRun:
    """A new session (and a new driver JVM, so that the heap asked for applies); stop it with :func:`stop`."""
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise ConfigError("the Spark engine needs pyspark (pip install 'hopnhat[spark]')", reason=str(exc)) from exc
    master = options.master or f"local[{threads}]"
    check_checkpoints(master, options.conf, threads)
    probe_master(master)
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    scratch = tempfile.mkdtemp(prefix="hopnhat-spark-")
    conf = merged_conf(default_conf(rows, threads, master, scratch), options.conf)
    os.makedirs(conf["spark.local.dir"], exist_ok=True)
    _shutdown_gateway()  # a JVM left by an earlier session would ignore the memory asked for now
    try:
        session = _builder(master, conf).getOrCreate()
    except Exception as exc:  # no Java, a heap too small to start, a master refusing: one error
        shutil.rmtree(scratch, ignore_errors=True)
        code = _exit_code(_gateway_proc())
        _shutdown_gateway()
        raise _failure(exc, conf, code, starting=True) from exc
    session.sparkContext.setLogLevel("ERROR")
    session.sparkContext.setCheckpointDir(conf["spark.checkpoint.dir"])
    run = SparkRun(session, conf, scratch, _gateway_proc())
    _watch(run)
    return run


def _gateway_proc() -> Any:
    from pyspark import SparkContext

    gateway = SparkContext._gateway
    return getattr(gateway, "proc", None) if gateway is not None else None


def _shutdown_gateway() -> None:
    """End the driver JVM pyspark keeps for the life of the Python process, and forget it."""
    from pyspark import SparkContext

    gateway, proc = SparkContext._gateway, _gateway_proc()
    if gateway is None:
        return
    try:
        gateway.shutdown()
    except Exception:  # noqa: BLE001 - a JVM already dead: nothing to say goodbye to
        pass
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except Exception:  # noqa: BLE001
            proc.kill()
            proc.wait(10)
    SparkContext._gateway = None
    SparkContext._jvm = None
    SparkContext._active_spark_context = None


def _watch(run: SparkRun, grace: float = 10.0) -> None:
    """Watchdog: if the driver JVM exits while the command runs, record its status and, should Python still be
    waiting ``grace`` seconds later, interrupt it (the guard turns the interrupt into a :class:`SparkFailure`)."""
    proc = run.proc
    if proc is None:
        return

    def watch() -> None:
        code = proc.wait()
        if run.stopping:
            return
        run.jvm_exit = code
        threading.Event().wait(grace)
        if not run.stopping:
            _thread.interrupt_main()

    threading.Thread(target=watch, name="hopnhat-spark-watchdog", daemon=True).start()


def stop(run: SparkRun) -> None:
    """Stop the session, end its JVM and remove the scratch folder (always safe to call)."""
    run.stopping = True
    try:
        run.session.stop()
    except Exception:  # noqa: BLE001 - the JVM may be gone already
        pass
    _shutdown_gateway()
    shutil.rmtree(run.scratch, ignore_errors=True)


# --- errors --------------------------------------------------------------------------------------------------------

def _failure(exc: BaseException, conf: Mapping[str, str], jvm_exit: int | None,
             starting: bool = False) -> HopnhatError:
    """One clear error for what went wrong in Spark: what ran out, which setting to raise."""
    text = f"{type(exc).__name__}: {_text(exc)}"
    heap = conf.get("spark.driver.memory", "1g")
    if jvm_exit == OOM_EXIT or ("OutOfMemoryError" in text and "xecutor" not in text):
        return SparkFailure(tr("Bộ nhớ driver của Spark đã đầy (Java heap)",
                               "Spark's driver ran out of memory (Java heap)"), key="spark.driver.memory", value=heap,
                            reason=tr(f"JVM driver dừng khi heap đầy (mã thoát {jvm_exit})",
                                      f"the driver JVM stopped at a full heap (exit {jvm_exit})")
                            if jvm_exit is not None else _short(text),
                            hint=tr("tăng nó, ví dụ --spark-conf spark.driver.memory=8g (linkage.spark_conf trong "
                                    "merger.yaml), hoặc liên kết ít dòng hơn mỗi lần",
                                    "raise it, e.g. --spark-conf spark.driver.memory=8g (linkage.spark_conf in "
                                    "merger.yaml), or link fewer rows at once"))
    if jvm_exit == HEARTBEAT_EXIT:
        return SparkFailure(tr("Executor của Spark không báo được cho driver (heartbeat) và đã dừng",
                               "Spark's executor could not report to the driver (heartbeats) and stopped"),
                            key="spark.executor.heartbeat.maxFailures",
                            value=conf.get("spark.executor.heartbeat.maxFailures", "60"),
                            reason=tr(f"mã thoát {jvm_exit}: mọi heartbeat trong nhiều phút đều quá hạn — máy quá "
                                      "tải (hết RAM, tải CPU rất cao) hoặc mạng", f"exit {jvm_exit}: every heartbeat "
                                      "for minutes timed out — the machine overloaded (out of RAM, very high CPU "
                                      "load) or the network"),
                            hint=tr("chạy khi máy rảnh hơn, hoặc tăng spark.executor.heartbeat.maxFailures (mỗi "
                                    "lần một spark.executor.heartbeatInterval)", "run when the machine is less "
                                    "loaded, or raise spark.executor.heartbeat.maxFailures (one "
                                    "spark.executor.heartbeatInterval each)"))
    if "ExecutorLostFailure" in text or "OutOfMemoryError" in text or "xecutor" in text and "lost" in text:
        return SparkFailure(tr("Mất một executor của Spark (hết bộ nhớ hoặc bị dừng)",
                               "a Spark executor was lost (out of memory or killed)"), key="spark.executor.memory",
                            value=conf.get("spark.executor.memory", "1g"), reason=_short(text),
                            hint=tr("tăng --spark-conf spark.executor.memory (và spark.executor.memoryOverhead); "
                                    "xem nhật ký các worker của cụm", "raise --spark-conf spark.executor.memory (and "
                                    "spark.executor.memoryOverhead); check the cluster's worker logs"))
    if jvm_exit is not None:
        return SparkFailure(tr("JVM driver của Spark đã thoát", "Spark's driver JVM exited"), value=jvm_exit,
                            reason=_short(text), hint=tr("xem thông báo Java ở trên; tăng --spark-conf "
                                                         "spark.driver.memory nếu nó hết bộ nhớ", "see the Java "
                                                         "messages above; raise --spark-conf spark.driver.memory if "
                                                         "it ran out of memory"))
    if starting:
        return SparkFailure(tr("không khởi động được Spark", "cannot start Spark"), value=conf.get("spark.master"),
                            reason=_short(text),
                            hint=tr("xem thông báo Java ở trên; đã cài Java 17 (JAVA_HOME) chưa? master có tới được "
                                    "không? Spark cần spark.driver.memory ít nhất 450m", "see the Java messages "
                                    "above; is Java 17 installed (JAVA_HOME)? is the master reachable? Spark needs "
                                    "spark.driver.memory of at least 450m"))
    return SparkFailure(tr("Spark thất bại", "Spark failed"), reason=_short(text),
                        hint=tr("xem thông báo Java ở trên", "see the Java messages above"))


def _text(exc: BaseException) -> str:
    """The message of ``exc``; a Py4J error whose JVM is gone cannot render itself (its str() calls the JVM)."""
    try:
        return str(exc)
    except Exception:  # noqa: BLE001 - the JVM behind the error is dead
        java = getattr(exc, "java_exception", None)
        return f"{type(exc).__name__} (the JVM is gone{'' if java is None else ', Java error lost'})"


def _exit_code(proc: Any, seconds: float = 5.0) -> int | None:
    """The driver JVM's exit status if it has ended or ends within ``seconds`` (a JVM dying at a full heap takes a
    moment after the Py4J socket closes); None if it lives on."""
    if proc is None:
        return None
    try:
        return int(proc.wait(seconds))
    except Exception:  # noqa: BLE001 - still running
        return None


def _short(text: str, limit: int = 600) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[:limit] + " …"


def _is_spark_error(exc: BaseException) -> bool:
    """An error from Spark or its gateway, possibly wrapped by Splink: the error itself or one it was raised from or
    while handling (Splink raises its own ``SplinkException`` while handling the gateway's ``Py4JNetworkError`` when
    the driver JVM dies at a full heap, and its message names neither)."""
    return any(_spark_error_itself(link) for link in _chain(exc))


def _chain(exc: BaseException, limit: int = 10) -> Iterator[BaseException]:
    """``exc`` and the errors behind it (``__cause__``, else ``__context__``), at most ``limit``, each once."""
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen and len(seen) < limit:
        seen.add(id(link))
        yield link
        link = link.__cause__ or link.__context__


def _spark_error_itself(exc: BaseException) -> bool:
    module = type(exc).__module__ or ""
    text = _text(exc)
    return (module.startswith(("py4j", "pyspark")) or isinstance(exc, (ConnectionError, EOFError))
            or any(mark in text for mark in ("Py4J", "py4j", "java.", "SparkException", "OutOfMemoryError")))


@contextmanager
def guarded(options: SparkOptions, rows: int, threads: int = 2) -> Iterator[Any]:
    """A session for the ``with`` block; whatever Spark does wrong inside becomes one :class:`SparkFailure`, and the
    JVM and scratch folder are gone when the block ends, however it ends."""
    run = start(options, rows, threads)
    with supervised(run):
        yield run.session


class _NotPy4J(logging.Filter):
    """Drops py4j's records: when the driver JVM dies, py4j logs the broken socket with a traceback through the root
    logger (``logging.exception``), which then prints it on stderr; the guard below reports that failure once."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "py4j" not in record.pathname.replace(os.sep, "/").split("/")


@contextmanager
def _py4j_quiet() -> Iterator[None]:
    """While Spark works: py4j's records kept off stderr, every other record shown as before (a root logger without
    handlers gets the handler ``logging.exception`` would have made, with the filter)."""
    root, quiet = logging.getLogger(), _NotPy4J()
    added = None if root.handlers else logging.StreamHandler()
    if added is not None:
        added.setFormatter(logging.Formatter(logging.BASIC_FORMAT))
        root.addHandler(added)
    handlers = list(root.handlers)
    for handler in handlers:
        handler.addFilter(quiet)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(quiet)
        if added is not None:
            root.removeHandler(added)


@contextmanager
def supervised(run: SparkRun | None) -> Iterator[None]:
    """Work on a started session (``None``: no session of our own, nothing to do): a Spark error, or the watchdog's
    interrupt after the driver JVM died, becomes one :class:`SparkFailure`; the session is stopped at the end."""
    if run is None:
        yield
        return
    with _py4j_quiet():
        try:
            yield
        except HopnhatError:
            raise
        except KeyboardInterrupt as exc:
            if run.jvm_exit is None:
                raise
            raise _failure(exc, run.conf, run.jvm_exit) from None
        except Exception as exc:
            spark_error = _is_spark_error(exc)
            code = _exit_code(run.proc, 5.0 if spark_error else 0.0)
            if not spark_error and code is None:
                raise
            raise _failure(exc, run.conf, code) from None
        finally:
            stop(run)
