"""The sandbox for post texts written in a campaign file: Jinja with time and size limits.

A post is a few hundred characters, so a template that runs for seconds or
builds megabytes is a mistake or an attack. :func:`render_post_text` renders
in an immutable sandbox (no ``list.append``), under a wall-clock deadline
checked in the template's own code (``sys.settrace``), with an output cap, and
every operator, call and filter is checked before it runs (a ``**``, a
repeat, a width argument) and charged after it (a budget over all results of
one render). ``str.format`` and printf ``%`` are refused: their widths are
unbounded. What cannot be bounded up front ends at the deadline.
"""

from __future__ import annotations

import functools
import sys
import threading
import time
from contextlib import contextmanager
from functools import cache
from types import FrameType
from typing import Any, Callable, Iterable, Iterator

from jinja2 import Environment, StrictUndefined
from jinja2.nodes import EvalContext
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import Namespace

from .environment import common

# These leave room for any real post template.
MAX_RENDER_SECONDS = 2.0
MAX_OUTPUT_CHARS = 20_000
MAX_VALUE_CHARS = 100_000  # any string a template builds
MAX_ITEMS = 100_000  # any list a template builds
MAX_INT_BITS = 4_096
MAX_WORK = 10_000_000  # worst-case characters one call may produce


MAX_TOTAL = 20_000_000  # characters all calls and operations of one render may produce together


class TemplateLimit(SecurityError):
    """A post template went over a time or size limit."""


_budget = threading.local()  # characters the render running in this thread may still produce


def _charge(value: Any) -> Any:
    """Count ``value`` against the running render's budget (many small results add up, e.g. in a map)."""
    _check_value(value)
    remaining = getattr(_budget, "remaining", None)
    if remaining is not None and isinstance(value, (str, list, tuple, dict, set, frozenset)):
        _budget.remaining = remaining - _weight(value)
        if _budget.remaining < 0:
            raise TemplateLimit(f"the template builds over {MAX_TOTAL:,} characters in all")
    return value


def _size(value: Any) -> int:
    return len(value) if isinstance(value, (str, list, tuple, dict, set, frozenset)) else 0


def _weight(value: Any, memo: dict[int, int] | None = None) -> int:
    """Roughly how many characters ``str(value)`` takes: a list repeating one big string is heavy."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        items: Iterable[Any] = [*value.keys(), *value.values()]
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = value
    else:
        return 8
    memo = {} if memo is None else memo
    if id(value) not in memo:  # each shared object is weighed once
        memo[id(value)] = 0
        memo[id(value)] = 2 + sum(_weight(v, memo) + 2 for v in items)
    return memo[id(value)]


def _check_value(value: Any) -> Any:
    """``value`` if it is within the limits, else raise :class:`TemplateLimit`."""
    if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
        raise TemplateLimit(f"a value of {len(value):,} characters; the limit is {MAX_VALUE_CHARS:,}")
    if isinstance(value, (list, tuple, dict, set, frozenset)):
        if len(value) > MAX_ITEMS:
            raise TemplateLimit(f"a collection of {len(value):,} items; the limit is {MAX_ITEMS:,}")
        if _weight(value) > MAX_WORK:
            raise TemplateLimit(f"a collection of over {MAX_WORK:,} characters")
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
        raise TemplateLimit(f"a number of {value.bit_length():,} bits; the limit is {MAX_INT_BITS:,}")
    return value


def _check_call(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse a call whose worst-case result is too large, before it runs."""
    values = [*args, *kwargs.values()]
    for value in values:
        _check_value(value)
    numbers = [abs(v) for v in values if isinstance(v, int) and not isinstance(v, bool)]
    text = sum(_weight(v) for v in values if isinstance(v, (str, list, tuple, dict, set, frozenset)))
    work = (text + 1) * max([1, *numbers])
    if name in {"replace", "join"} and len(args) >= 2:  # result ~ count x replacement / items x separator
        work = (text + 1) * (max(_size(a) for a in args) + 1)
    if work > MAX_WORK:
        raise TemplateLimit(f"{name}() with these arguments could produce up to {work:,} characters; the limit is {MAX_WORK:,}")


def _binop_check(operator: str, left: Any, right: Any) -> None:
    ints = all(isinstance(v, int) and not isinstance(v, bool) for v in (left, right))
    if operator == "**" and ints and right > 0 and abs(left) > 1 and left.bit_length() * right > MAX_INT_BITS:
        raise TemplateLimit(f"{left} ** {right} is too large a number")
    if operator == "*" and ints and left.bit_length() + right.bit_length() > MAX_INT_BITS:
        raise TemplateLimit("the product is too large a number")
    if operator == "*" and not ints:
        seq, times = (left, right) if isinstance(right, int) else (right, left)
        if isinstance(times, int) and (_size(seq) * times > MAX_VALUE_CHARS or _weight(seq) * times > MAX_WORK):
            raise TemplateLimit(f"repeating a value makes more than {MAX_VALUE_CHARS:,} characters or items")
    if operator == "%" and isinstance(left, str):
        raise TemplateLimit("printf-style '%' formatting is not available; write {{ value }} instead")


class _BoundedNamespace(Namespace):
    """``namespace()`` whose attributes stay within the limits (the only state a loop can grow)."""

    def __setitem__(self, name: str, value: Any) -> None:
        super().__setitem__(name, _check_value(value))


class PostSandbox(ImmutableSandboxedEnvironment):
    """The sandbox for post texts: immutable data, and no call or operator that could build a huge value."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        """Check the operands before the operation runs, and its result after."""
        _binop_check(operator, left, right)
        return _charge(super().call_binop(context, operator, left, right))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``str.format``: refused (a width like ``{:>999999999}`` is unbounded)."""
        if super().wrap_str_format(value) is None:
            return None

        def refused(*args: Any, **kwargs: Any) -> str:
            raise TemplateLimit("str.format is not available; write {{ value }} instead")

        return refused

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 (jinja's signature)
        """Every call in a template: arguments checked first, the result after."""
        _check_call(getattr(__obj, "__name__", "call"), args, kwargs)
        return _charge(super().call(__context, __obj, *args, **kwargs))


def _bounded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)  # keeps jinja's pass_environment/pass_context marks
    def bounded(*args: Any, **kwargs: Any) -> Any:
        _check_call(name, tuple(a for a in args if not isinstance(a, (Environment, Context, EvalContext))), kwargs)
        return _charge(func(*args, **kwargs))

    return bounded


@cache
def string_env() -> PostSandbox:
    """Environment for post texts written inline in a campaign file (plain text, no autoescape, bounded)."""
    env = common(PostSandbox(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False))
    env.filters.pop("format", None)  # printf widths ("%999999999s") are unbounded
    env.filters = {name: _bounded_filter(name, f) for name, f in env.filters.items()}
    env.globals["namespace"] = _BoundedNamespace
    del env.globals["lipsum"]  # placeholder text has no place in a post, and it runs outside the deadline
    return env


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise :class:`TemplateLimit` in the template's own code once ``seconds`` have passed."""
    end = time.monotonic() + seconds

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        # Only in the template's own code: Jinja's runtime may catch broad exceptions,
        # and Python unsets a trace function that raised, which would end the deadline.
        if frame.f_code.co_filename != "<template>":
            return None
        if time.monotonic() > end:
            raise TemplateLimit(f"rendering took over {seconds:g} s")
        return trace

    previous = sys.gettrace()
    sys.settrace(trace)
    try:
        yield
    finally:
        sys.settrace(previous)


def render_post_text(source: str, context: dict[str, Any]) -> str:
    """Compile and render one post text within the time and size limits."""
    if "{" not in source:  # no tag, no expression, no comment: nothing to render (most posts; saves a compile)
        if len(source) > MAX_OUTPUT_CHARS:
            raise TemplateLimit(f"the text is over {MAX_OUTPUT_CHARS:,} characters")
        return source.removesuffix("\n")
    if len(source) > MAX_OUTPUT_CHARS:  # also keeps the compile short: it runs before the deadline can act
        raise TemplateLimit(f"the template is over {MAX_OUTPUT_CHARS:,} characters")
    out: list[str] = []
    size = 0
    _budget.remaining = MAX_TOTAL
    try:
        with _deadline(MAX_RENDER_SECONDS):
            for chunk in string_env().from_string(source).generate(context):
                size += len(chunk)
                if size > MAX_OUTPUT_CHARS:
                    raise TemplateLimit(f"the text is over {MAX_OUTPUT_CHARS:,} characters")
                out.append(chunk)
    finally:
        _budget.remaining = None
    return "".join(out)
