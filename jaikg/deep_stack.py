"""Running Oxigraph in this process on a thread whose stack is sized for the text it is given.

Oxigraph builds and walks the algebra of a query or update recursively, one level for each operand of a chain
written without brackets: `1+1+…`, `?a || ?a || …`, `{} UNION {} UNION …`, a path `a/a/…`, an object list
`?s ?p 1,1,…`. The bracket count of `server.limits` (MAX_NESTING) does not see such chains, and a stack overflow
kills the whole process (SIGSEGV or Rust's "stack overflow" abort), not the request. Measured with pyoxigraph 0.5.13
(the chain in a query or an update, run on threads of 2 and 8 MiB; the depth grows linearly with the stack), the
stack one operand takes, and the operands that fit in 2 MiB and in 8 MiB:

- `1+1+…`: 1,216 bytes, 2 characters an operand, so 608 bytes a character; 1,709 and 6,884 operands;
- `a/a/…` and `?s ?p 1,1,…`: 1,027 bytes, 513 a character; 2,025 and 8,153;
- `1 || 1 || …`: 898 bytes, 299 a character; 2,319 and 9,326;
- `{} UNION {} …`: 1,279 bytes, 183 a character; 1,623 and 6,542.

So a request thread of granian (2 MiB) died on 10 KB of text, and a text of `--max-query-length` (100,000 characters)
can take 61 MB. `on_deep_stack` runs a call on a thread of its own with `stack_for(len(text))` bytes of stack:
STACK_PER_CHARACTER (640, above the worst measured) times STACK_MARGIN (4), so 245 MiB for 100,000 characters, at
least MIN_STACK and at most MAX_STACK. That is address space: the kernel backs only the pages a call touches (a
`1+1+…` chain of 9,976 operands ran on 13 MiB and overflowed 11), and the stack is unmapped when the thread ends.
Starting and joining the thread took 0.15-0.5 ms here, nothing beside an update (which reloads the query workers),
but more than a point lookup takes: a text of at most IN_PLACE_LENGTH characters needs at most 640 KB of stack, a
third of the smallest stack jaikg's code runs on (a granian request thread's 2 MiB), and runs in the calling thread.

Nothing but the stack is bounded here: such chains also take Oxigraph time that grows with the square of their
length (a `1+1+…` of 10,000 operands: 4.6 s to plan, on any graph), which is why `jaikg serve` checks an update in
a worker process under the time and memory limits before it runs here (`jaikg.checks`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from .sparql import SparqlError

T = TypeVar("T")

MIB = 1024 * 1024
STACK_PER_CHARACTER = 640
"""Bytes of stack one character of a query or update may need (608 measured for `1+1+…`, the worst found)."""
STACK_MARGIN = 4
"""How many times the stack the text could need at most that it is given."""
IN_PLACE_LENGTH = 1000
"""Texts up to this many characters run in the calling thread: they cannot need more than 640 KB of stack."""
MIN_STACK = 8 * MIB
"""The stack of a short text: a main thread's (the deepest bracket nesting allowed, 64 levels, takes far less)."""
MAX_STACK = 1024 * MIB
"""The most address space one thread reserves (a 1 MiB Graph Store body becomes an update of some megabytes of
N-Triples, flat, which needs none of it): 4 times what a chain of 400,000 characters needs."""

_STACK_SIZE_LOCK = threading.Lock()
"""`threading.stack_size` is one setting for the whole process: held from setting it to setting it back."""


def stack_for(length: int) -> int:
    """Bytes of stack for a text of `length` characters: whole MiB, between MIN_STACK and MAX_STACK."""
    wanted = -(-length * STACK_PER_CHARACTER * STACK_MARGIN // MIB) * MIB
    return max(MIN_STACK, min(MAX_STACK, wanted))


def on_deep_stack(call: Callable[[], T], length: int, what: str = "the request") -> T:
    """`call()` on a new thread with `stack_for(length)` bytes of stack (`length`: the characters of the text it
    gives Oxigraph), or in the calling thread when `length` is at most IN_PLACE_LENGTH; its result, or the
    exception it raised. Blocks the calling thread until it is done. `what` names the text in the 503 for a thread
    the system would not start (address space limited by `ulimit -v`, say)."""
    if length <= IN_PLACE_LENGTH:
        return call()
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as error:  # raised again in the calling thread
            failure.append(error)

    size = stack_for(length)
    thread = threading.Thread(target=run, name="jaikg-deep-stack", daemon=True)
    with _STACK_SIZE_LOCK:
        previous = threading.stack_size(size)
        try:
            thread.start()
        except RuntimeError as error:
            raise SparqlError(503, f"{what} could not be run: no thread with a stack of {size // MIB} MiB could be "
                                   f"started ({error})") from None
        finally:
            threading.stack_size(previous)
    thread.join()
    if failure:
        raise failure[0]
    return outcome[0]
