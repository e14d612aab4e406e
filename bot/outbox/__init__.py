"""Everything peercoach sends on its own initiative: queued in the transaction of the change that
causes it (`enqueue`), delivered once by the dispatcher."""

from bot.outbox.enqueue import Message, enqueue

__all__ = ["Message", "enqueue"]
