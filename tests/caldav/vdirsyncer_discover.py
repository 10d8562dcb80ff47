#!/usr/bin/env python3
"""Prints, as one JSON list, the calendar collection URLs vdirsyncer's CalDAV storage discovers:

    vdirsyncer_discover.py URL USER PASSWORD

The engine's discovery tests compare their result with this reference client's.
"""

import asyncio
import json
import sys

import aiohttp
from vdirsyncer.storage.dav import CalDAVStorage


async def main(url, user, password):
    async with aiohttp.TCPConnector(limit_per_host=4) as connector:
        found = [
            c["url"]
            async for c in CalDAVStorage.discover(
                url=url, username=user, password=password, connector=connector
            )
        ]
    print(json.dumps(sorted(found)))


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
