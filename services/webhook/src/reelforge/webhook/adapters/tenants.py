"""Tenants and their API keys in PostgreSQL (keys only as hashes)."""

from __future__ import annotations

from dataclasses import dataclass

from reelforge.runtime.db import Connection, Pool

from ..domain.tenant_keys import IssuedKey


@dataclass(frozen=True)
class Tenant:
    tenant_id: str
    name: str
    signing_generation: int


class TenantExistsError(Exception):
    pass


async def create_tenant(conn: Connection, tenant_id: str, name: str) -> Tenant:
    row = await conn.fetchrow(
        "INSERT INTO tenants (tenant_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING"
        " RETURNING tenant_id, name, signing_generation",
        tenant_id,
        name,
    )
    if row is None:
        raise TenantExistsError(f"tenant {tenant_id} already exists")
    return Tenant(row["tenant_id"], row["name"], row["signing_generation"])


async def add_key(conn: Connection, tenant_id: str, issued: IssuedKey) -> None:
    await conn.execute(
        "INSERT INTO api_keys (key_hash, key_id, tenant_id) VALUES ($1, $2, $3)",
        issued.key_hash,
        issued.key_id,
        tenant_id,
    )


async def revoke_key(conn: Connection, key_id: str) -> bool:
    status = await conn.execute(
        "UPDATE api_keys SET revoked_at = now() WHERE key_id = $1 AND revoked_at IS NULL", key_id
    )
    return bool(status.endswith(" 1"))


async def revoke_tenant(conn: Connection, tenant_id: str) -> bool:
    status = await conn.execute(
        "UPDATE tenants SET revoked_at = now() WHERE tenant_id = $1 AND revoked_at IS NULL",
        tenant_id,
    )
    await conn.execute(
        "UPDATE api_keys SET revoked_at = now() WHERE tenant_id = $1 AND revoked_at IS NULL",
        tenant_id,
    )
    return bool(status.endswith(" 1"))


async def tenant_for_key(pool: Pool, key_hash: str) -> Tenant | None:
    """The tenant an active key belongs to, or None (unknown or revoked key, revoked tenant)."""
    row = await pool.fetchrow(
        "SELECT t.tenant_id, t.name, t.signing_generation FROM api_keys k"
        " JOIN tenants t USING (tenant_id)"
        " WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND t.revoked_at IS NULL",
        key_hash,
    )
    return None if row is None else Tenant(row["tenant_id"], row["name"], row["signing_generation"])


async def signing_generation(conn: Connection, tenant_id: str) -> int | None:
    value = await conn.fetchval(
        "SELECT signing_generation FROM tenants WHERE tenant_id = $1", tenant_id
    )
    return None if value is None else int(value)
