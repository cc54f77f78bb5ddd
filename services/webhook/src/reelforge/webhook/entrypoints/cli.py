"""``reelforge-webhook``: manage tenants and their API keys, submit a video, watch its progress.

Tenant commands talk to PostgreSQL (``DATABASE_URL``); ``submit`` and ``watch`` talk to the
service over HTTP (``REELFORGE_WEBHOOK_URL``, ``REELFORGE_API_KEY``).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import click
import httpx

from reelforge.runtime.db import Connection, apply_migrations, create_pool

from ..adapters import tenants
from ..config import WebhookSettings, with_search_path
from ..domain import standard_webhooks, tenant_keys

SERVICE = "webhook"
T = TypeVar("T")


def _with_db(action: Callable[[Connection], Awaitable[T]]) -> T:
    settings = WebhookSettings()

    async def run() -> T:
        pool = await create_pool(with_search_path(settings.database_url, SERVICE), SERVICE, 2)
        try:
            await apply_migrations(pool, SERVICE, "reelforge.webhook")
            async with pool.acquire() as conn, conn.transaction():
                return await action(conn)
        finally:
            await pool.close()

    return asyncio.run(run())


@click.group()
def main() -> None:
    """reelforge webhook service administration and client."""


@main.group(name="tenants")
def tenants_group() -> None:
    """Create tenants, issue and revoke API keys."""


@tenants_group.command("create")
@click.argument("tenant_id")
@click.option("--name", default=None, help="Display name (defaults to the tenant id).")
def create(tenant_id: str, name: str | None) -> None:
    """Create TENANT_ID with a first API key; the key is shown once."""
    issued = tenant_keys.generate()

    async def action(conn: Connection) -> None:
        await tenants.create_tenant(conn, tenant_id, name or tenant_id)
        await tenants.add_key(conn, tenant_id, issued)

    try:
        _with_db(action)
    except (tenants.TenantExistsError, asyncpg.PostgresError) as problem:
        raise click.ClickException(str(problem)) from problem
    _print_key(tenant_id, issued)


@tenants_group.command("add-key")
@click.argument("tenant_id")
def add_key(tenant_id: str) -> None:
    """Issue another API key for TENANT_ID (e.g. to rotate); shown once."""
    issued = tenant_keys.generate()

    async def action(conn: Connection) -> None:
        await tenants.add_key(conn, tenant_id, issued)

    try:
        _with_db(action)
    except asyncpg.ForeignKeyViolationError as problem:
        raise click.ClickException(f"no tenant {tenant_id}") from problem
    _print_key(tenant_id, issued)


@tenants_group.command("revoke")
@click.option("--key", "key_id", default=None, help="Revoke one key by its id.")
@click.option("--tenant", "tenant_id", default=None, help="Revoke a tenant and all its keys.")
def revoke(key_id: str | None, tenant_id: str | None) -> None:
    """Revoke one API key (--key KEY_ID) or a whole tenant (--tenant TENANT_ID)."""
    if (key_id is None) == (tenant_id is None):
        raise click.UsageError("give exactly one of --key or --tenant")

    async def action(conn: Connection) -> bool:
        if key_id is not None:
            return await tenants.revoke_key(conn, key_id)
        assert tenant_id is not None
        return await tenants.revoke_tenant(conn, tenant_id)

    if not _with_db(action):
        raise click.ClickException("nothing to revoke (unknown or already revoked)")
    click.echo(f"revoked {'key ' + key_id if key_id else 'tenant ' + str(tenant_id)}")


@tenants_group.command("signing-secret")
@click.argument("tenant_id")
def signing_secret(tenant_id: str) -> None:
    """Print the whsec_ secret that verifies TENANT_ID's upstream callbacks."""

    async def action(conn: Connection) -> int:
        return await tenants.signing_generation(conn, tenant_id) or 1

    generation = _with_db(action)
    secret = standard_webhooks.derive_tenant_secret(
        WebhookSettings().signing_master, tenant_id, generation
    )
    click.echo(secret.get_secret_value())


def _print_key(tenant_id: str, issued: tenant_keys.IssuedKey) -> None:
    click.echo(f"tenant:  {tenant_id}")
    click.echo(f"key id:  {issued.key_id}")
    click.echo(f"api key: {issued.plaintext.get_secret_value()}  (shown once; store it now)")


_api = click.option(
    "--api", envvar="REELFORGE_WEBHOOK_URL", default="http://127.0.0.1:8084", show_default=True
)
_key = click.option("--key", envvar="REELFORGE_API_KEY", required=True, help="rf_live_... key.")


@main.command()
@_api
@_key
@click.option("--script", default=None, help="What the avatar says (one scene).")
@click.option("--avatar", "avatar_id", default=None)
@click.option("--voice", "voice_id", default=None)
@click.option(
    "--body",
    "body_file",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="A full POST /v1/videos body as JSON.",
)
@click.option("--callback-url", default=None)
@click.option("--idempotency-key", default=None)
def submit(
    api: str,
    key: str,
    script: str | None,
    avatar_id: str | None,
    voice_id: str | None,
    body_file: str | None,
    callback_url: str | None,
    idempotency_key: str | None,
) -> None:
    """Submit a video; prints the job id."""
    body: dict[str, Any] = (
        json.loads(Path(body_file).read_text())
        if body_file
        else {"script": script, "avatar_id": avatar_id, "voice_id": voice_id}
    )
    if callback_url:
        body["callback_url"] = callback_url
    headers = {"authorization": f"Bearer {key}"}
    if idempotency_key:
        headers["idempotency-key"] = idempotency_key
    response = httpx.post(f"{api}/v1/videos", json=body, headers=headers, timeout=30)
    if response.status_code != 202:
        raise click.ClickException(f"{response.status_code}: {response.text}")
    click.echo(response.json()["job_id"])


@main.command()
@_api
@_key
@click.argument("job_id")
def watch(api: str, key: str, job_id: str) -> None:
    """Follow JOB_ID with a progress bar until it is ready (exit 0) or failed (exit 1)."""
    final: dict[str, Any] = {}
    with (
        httpx.stream(
            "GET",
            f"{api}/v1/videos/{job_id}/events",
            headers={"authorization": f"Bearer {key}"},
            timeout=httpx.Timeout(30, read=None),
        ) as response,
        click.progressbar(length=100, label=f"job {job_id[:8]}", show_percent=True) as bar,
    ):
        if response.status_code != 200:
            raise click.ClickException(f"{response.status_code}: {response.read().decode()}")
        shown = 0
        for event, data in _events(response.iter_lines()):
            if event == "end":
                break
            bar.label = f"job {job_id[:8]} {data['state']:<10}"
            bar.update(max(0, data["progress"] - shown))
            shown = max(shown, data["progress"])
            final = data
    click.echo(json.dumps(final, indent=2))
    if final.get("state") != "ready":
        sys.exit(1)


def _events(lines: Any) -> Any:
    event = "message"
    for line in lines:
        if line.startswith("event:"):
            event = line.removeprefix("event:").strip()
        elif line.startswith("data:"):
            yield event, json.loads(line.removeprefix("data:").strip())
            event = "message"


if __name__ == "__main__":
    main()
