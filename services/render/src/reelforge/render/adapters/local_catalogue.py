"""The local provider's avatars and voices, in the same shape as the remote providers' catalogues.

Avatars are the ready-made ones (any other avatar_id renders too, its portrait derived from the
id); voices are two per espeak-ng language installed with the wheel.
"""

from __future__ import annotations

import asyncio

from ..domain.catalogue import Avatar, Voice
from .local_renderer.voices import list_avatars, list_voices

PROVIDER = "local"


class LocalCatalogue:
    async def list_avatars(self) -> list[Avatar]:
        return [
            Avatar(id=a.id, name=a.name, provider=PROVIDER, gender=a.gender.value, kind="generated")
            for a in list_avatars()
        ]

    async def list_voices(self) -> list[Voice]:
        voices = await asyncio.to_thread(list_voices)
        return [
            Voice(
                id=v.id,
                name=v.name,
                provider=PROVIDER,
                language=v.language,
                locales=(v.language,),
                gender=v.gender.value,
            )
            for v in voices
        ]
