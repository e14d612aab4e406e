"""Everything peercoach sends on its own initiative: queued in the transaction of the change that
causes it (`enqueue`), delivered once by the dispatcher (`Dispatcher`, run by the server;
`Dispatcher.dispatch_once` delivers what is due now)."""

from bot.outbox.dispatcher import METADATA_EVENT, Dispatcher
from bot.outbox.effects import Delivered, register_on_sent
from bot.outbox.enqueue import Message, OutboxFile, enqueue
from bot.outbox.pacing import Limits

__all__ = [
    "METADATA_EVENT",
    "Delivered",
    "Dispatcher",
    "Limits",
    "Message",
    "OutboxFile",
    "enqueue",
    "register_on_sent",
]
