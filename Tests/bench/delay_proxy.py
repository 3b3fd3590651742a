"""A user-space TCP proxy that delays every byte by a fixed time each way (the kernel here has no
netem), and counts what crosses it: bytes each way and request->reply turns per connection
(traffic going client->server, then server->client again: one round trip seen on the wire).

    delay_proxy.py STATS.json ONE_WAY_MS LISTEN_ADDR:PORT=TARGET_ADDR:PORT ...

Writes STATS.json when it gets SIGTERM."""
import asyncio
import json
import signal
import sys
import time

STATS = {'up': 0, 'down': 0, 'turns': 0, 'connections': 0}


async def pump(reader, writer, delay, direction, conn):
    queue = asyncio.Queue()

    async def send():
        try:
            while True:
                due, data = await queue.get()
                if data is None:
                    break
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass   # the other side went away; the reader notices too
        writer.close()

    sender = asyncio.ensure_future(send())
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            STATS[direction] += len(data)
            if direction == 'down' and conn['last'] == 'up':
                STATS['turns'] += 1
            conn['last'] = direction
            await queue.put((time.monotonic() + delay, data))
    except (ConnectionError, OSError):
        pass
    await queue.put((0, None))
    try:
        await sender
    except (ConnectionError, OSError):
        pass


def handler(target, delay):
    async def handle(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection(*target)
        except OSError:
            client_writer.close()
            return
        STATS['connections'] += 1
        conn = {'last': None}
        await asyncio.gather(pump(client_reader, server_writer, delay, 'up', conn),
                             pump(server_reader, client_writer, delay, 'down', conn))
    return handle


async def main():
    out, delay = sys.argv[1], float(sys.argv[2]) / 1000
    servers = []
    for spec in sys.argv[3:]:
        listen, target = spec.split('=')
        la, lp = listen.rsplit(':', 1)
        ta, tp = target.rsplit(':', 1)
        servers.append(await asyncio.start_server(handler((ta, int(tp)), delay), la, int(lp)))
    done = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, done.set)
    print('ready', flush=True)
    await done.wait()
    with open(out, 'w') as f:
        json.dump(STATS, f)


asyncio.run(main())
