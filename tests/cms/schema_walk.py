"""A generic walk of the served GraphQL schema, driven by introspection.

From a root type (``Query``, ``Mutation``) every field is called, and every field of
what it returns, breadth first down to ``max_depth`` levels of objects. Within one
root field each field is followed once, where it is first met (so cycles end), and
where an interface or union is first met every possible type's fields are selected
through ``... on T``: a field added to the schema later is walked without touching
the walk (:func:`reachable_fields` says what there is to walk).

Arguments are filled from their name and type (:class:`ArgumentPolicy`): required
ones with every value that names a planted object (ids, slugs, url paths, ticket
references...) or a search word; optional ones omitted, and probed with values that
name what the caller may not read where that can change the answer (root fields,
look-ups of one object). The first call of a field is followed deep (for a look-up,
the first call that names an object the caller may read); the probes get a shallow
selection, enough to show which object came back.

The calls are cut to the endpoint's limits (fields, aliases, length), and responses
are read back along the calls, so every string has a readable path such as
``site(id: <default site>).page(id: <internal article>).title``.
"""

from __future__ import annotations

import datetime
import json
import re
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from graphene_django.registry import get_global_registry
from graphql import (
    GraphQLField,
    GraphQLInputType,
    GraphQLNamedType,
    GraphQLSchema,
    Undefined,
    get_named_type,
    get_nullable_type,
    is_enum_type,
    is_input_object_type,
    is_interface_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_union_type,
)

from tests.cms.canaries import Garden, Planted

# Arguments that size a page of results: asked at the largest size allowed, so
# nothing hides past the first page (a field's own default first, if it has one).
PAGE_SIZE_ARGUMENTS = {"limit", "per_page", "first", "last"}
# Text to search for: what the field is for (given a readable word when optional,
# so there is something to walk into), or a filter of a list (probed).
SEARCH_TEXT_ARGUMENTS = {"query", "prefix", "subject", "q", "search", "term", "text"}
SEARCH_FILTER_ARGUMENTS = {"search_query", "description"}


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@dataclass(frozen=True)
class Value:
    """An argument value, with what it names (for reports and for choosing which
    call to follow deep)."""

    value: Any
    label: str
    hidden_from: frozenset[str] = frozenset()
    subject: str | None = None
    holds_canaries_for: frozenset[str] = frozenset()

    def names_canaries_for(self, caller: str) -> bool:
        """It names an object ``caller`` may not read, or one that holds something
        it may not read; or it names no object (a word, a number)."""
        return (
            self.subject is None or caller in self.hidden_from | self.holds_canaries_for
        )


@dataclass(frozen=True)
class ArgSite:
    """Where an argument is: the field it belongs to, its name and type."""

    parent: str
    field: str
    returns: GraphQLNamedType
    returns_list: bool
    is_root: bool
    name: str
    type: GraphQLInputType
    has_default: bool

    @property
    def required(self) -> bool:
        return is_non_null_type(self.type) and not self.has_default


@dataclass(frozen=True)
class ArgOptions:
    candidates: list[Value]  # a required argument: every value worth calling with
    default: Value | None = None  # an optional one: the value always given
    probes: list[Value] = field(default_factory=list)  # and values tried one at a time


class ArgumentPolicy:
    """Argument values derived from the argument's name and type, pointing at the
    planted objects (restricted and readable)."""

    def __init__(self, schema: GraphQLSchema, garden: Garden, max_page_size: int):
        self.schema = schema
        self.garden = garden
        self.max_page_size = max_page_size
        self._type_names: dict[type, set[str]] = {}

    # -- what a planted object is in the schema ------------------------------------
    def type_names(self, planted: Planted) -> set[str]:
        names = self._type_names.get(planted.model)
        if names is None:
            graphql_type = get_global_registry().get_type_for_model(planted.model)
            names = {graphql_type._meta.name} if graphql_type else set()
            self._type_names[planted.model] = names
        return names

    def returned_by(self, planted: Planted, returns: GraphQLNamedType) -> bool:
        names = self.type_names(planted)
        if is_interface_type(returns) or is_union_type(returns):
            possible = {t.name for t in self.schema.get_possible_types(returns)}
            return bool(names & possible)
        return returns.name in names

    @staticmethod
    def named_by(planted: Planted, word: str) -> bool:
        model = planted.model.__name__.lower()
        word = word.replace("_", "")
        return bool(word) and (model.startswith(word) or word.startswith(model))

    @staticmethod
    def part_named_by(planted: Planted, word: str) -> bool:
        model = planted.model.__name__.lower()
        word = word.replace("_", "")
        return bool(word) and word in model

    def planted_for(self, site: ArgSite, key: str | None = None) -> list[Planted]:
        """The planted objects an argument may name: by the argument's name (an
        ``articleId`` names articles), else by what the field returns, else by the
        field's name (``company(id:)``), else all of them."""
        pool = [
            p for p in self.garden.planted if key is None or p.lookup(key) is not None
        ]
        word = re.sub(r"_?id$", "", snake(site.name))
        for matches in (
            lambda p: word not in {"", key} and self.named_by(p, word),
            lambda p: word not in {"", key} and self.part_named_by(p, word),
            lambda p: self.returned_by(p, site.returns),
            lambda p: self.named_by(p, snake(site.field)),
        ):
            found = [p for p in pool if matches(p)]
            if found:
                return found
        return pool

    @staticmethod
    def of(planted: Planted, value: Any, label: str | None = None) -> Value:
        return Value(
            value,
            label or f"<{planted.subject}>",
            planted.hidden_from,
            planted.subject,
            planted.holds_canaries_for,
        )

    # -- values by type and name -------------------------------------------------------
    def values(self, site: ArgSite) -> list[Value]:
        named = get_named_type(site.type)
        name = snake(site.name)
        if is_enum_type(named):
            return [Value(v, v) for v in named.values]
        if is_input_object_type(named):
            return []  # none in this schema; add when one appears
        scalar = named.name
        if scalar == "Boolean":
            return [Value(True, "true"), Value(False, "false")]
        if scalar in {"Int", "PositiveInt", "Float"}:
            if name in PAGE_SIZE_ARGUMENTS:
                return [Value(self.max_page_size, str(self.max_page_size))]
            if name in {"page", "offset"}:  # probes: the second page, one skipped
                value = 2 if name == "page" else 1
                return [Value(value, str(value))]
            return [Value(1, "1")]
        if scalar == "ID":
            return [self.of(p, str(p.pk)) for p in self.planted_for(site)]
        if scalar == "String":
            return self.strings(site, name)
        if scalar == "DateTime":
            return [Value(datetime.datetime.now(datetime.UTC).isoformat(), "now")]
        if scalar == "Date":
            return [Value(datetime.date.today().isoformat(), "today")]
        if scalar == "Time":
            return [Value("09:00:00", "09:00")]
        if scalar == "UUID":
            return [Value(str(uuid.uuid4()), "a random uuid")]
        if scalar == "JSONString":
            return [Value("{}", "{}")]
        return []

    def strings(self, site: ArgSite, name: str) -> list[Value]:
        if name in SEARCH_TEXT_ARGUMENTS | SEARCH_FILTER_ARGUMENTS:
            return [Value(w, json.dumps(w)) for w in self.garden.search_words]
        if name == "order":
            return [Value("-title", '"-title"')]
        if any(p.lookup(name) for p in self.garden.planted):
            return [
                self.of(p, p.lookup(name), f"<{p.subject}>.{name}")
                for p in self.planted_for(site, key=name)
            ]
        if "password" in name:
            return [Value("pas-le-mot-de-passe", "a wrong password")]
        # A uid, a token...: a well-formed value that names nothing.
        return [Value("sonde", '"sonde"')]

    def options(self, site: ArgSite) -> ArgOptions:
        values = self.values(site)
        if is_list_type(get_nullable_type(site.type)):
            values = [replace(v, value=[v.value]) for v in values]
        if site.required:
            return ArgOptions(candidates=values)
        name = snake(site.name)
        if name in PAGE_SIZE_ARGUMENTS:
            # The largest page, unless the field has its own default (its own
            # bounds too, maybe): then that, and the largest as a probe.
            if site.has_default:
                return ArgOptions(candidates=[], probes=values)
            return ArgOptions(candidates=[], default=values[0] if values else None)
        if name in SEARCH_TEXT_ARGUMENTS and values:
            return ArgOptions(candidates=[], default=values[0], probes=values[1:])
        # Optional filters are probed where they can change what is returned: on root
        # fields, and (ids, slugs...) on fields that look one object up. On nested
        # lists they only narrow what the list already holds.
        named_lookup = get_named_type(site.type).name == "ID" or any(
            p.lookup(name) for p in self.garden.planted
        )
        if site.is_root or (named_lookup and not site.returns_list):
            return ArgOptions(candidates=[], probes=values)
        return ArgOptions(candidates=[])


# -- the queries ----------------------------------------------------------------------


@dataclass
class Node:
    type_name: str
    calls: list[Call] = field(default_factory=list)


@dataclass
class Call:
    field: str
    args: dict[str, tuple[Value, GraphQLInputType]] = field(default_factory=dict)
    node: Node | None = None
    type_cond: str | None = None  # inside ``... on type_cond``
    alias: str | None = None
    cost: Cost | None = field(default=None, compare=False, repr=False)  # cache

    @property
    def key(self) -> str:
        return self.alias or self.field

    @property
    def label(self) -> str:
        if not self.args:
            return self.field
        args = ", ".join(f"{k}: {v.label}" for k, (v, _t) in self.args.items())
        return f"{self.field}({args})"

    def head(self) -> str:
        text = f"{self.alias}: {self.field}" if self.alias else self.field
        if self.args:
            text += (
                "("
                + ", ".join(
                    f"{k}: {literal(v.value, t)}" for k, (v, t) in self.args.items()
                )
                + ")"
            )
        return text

    def render(self) -> str:
        if self.node is None:
            return self.head()
        return f"{self.head()} {{ {render_selection(self.node.calls)} }}"

    def with_calls(self, calls: list[Call]) -> Call:
        """This call with another selection (a part of its own)."""
        return replace(self, node=Node(self.node.type_name, calls), cost=None)


def literal(value: Any, type_: GraphQLInputType) -> str:
    named = get_named_type(type_)
    if isinstance(value, list):
        return "[" + ", ".join(literal(v, named) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_enum_type(named):
        return str(value)
    if isinstance(value, int | float) and named.name != "ID":
        return str(value)
    return json.dumps(str(value))


def render_selection(calls: list[Call]) -> str:
    plain = [c.render() for c in calls if c.type_cond is None]
    by_type: dict[str, list[str]] = {}
    for c in calls:
        if c.type_cond is not None:
            by_type.setdefault(c.type_cond, []).append(c.render())
    fragments = [f"... on {t} {{ {' '.join(s)} }}" for t, s in by_type.items()]
    return " ".join(plain + fragments) or "__typename"


@dataclass(frozen=True)
class Cost:
    """What a selection counts against the endpoint's limits."""

    fields: int = 0
    aliases: int = 0
    chars: int = 0

    def __add__(self, other: Cost) -> Cost:
        return Cost(
            self.fields + other.fields,
            self.aliases + other.aliases,
            self.chars + other.chars,
        )

    def __sub__(self, other: Cost) -> Cost:
        return Cost(
            self.fields - other.fields,
            self.aliases - other.aliases,
            self.chars - other.chars,
        )

    def __le__(self, other: Cost) -> bool:
        return (
            self.fields <= other.fields
            and self.aliases <= other.aliases
            and self.chars <= other.chars
        )


def cost(call: Call) -> Cost:
    if call.cost is None:
        total = Cost(1, int(call.alias is not None), len(call.head()) + 1)
        if call.type_cond:  # its share of a ``... on T { }`` (over-counted)
            total += Cost(chars=len(call.type_cond) + 12)
        if call.node is not None:
            total += Cost(chars=6)
            for child in call.node.calls:
                total += cost(child)
        call.cost = total
    return call.cost


def depth(call: Call) -> int:
    """The levels of fields ``call`` selects, itself included (fragments add none),
    as the endpoint counts them against its depth bound."""
    if call.node is None or not call.node.calls:
        return 1
    return 1 + max(depth(child) for child in call.node.calls)


def split(call: Call, budget: Cost) -> list[Call]:
    """``call`` as several calls (same field and arguments, parts of its selection)
    that each fit ``budget``."""
    if cost(call) <= budget or call.node is None:
        return [call]
    room = budget - cost(call.with_calls([]))
    pieces = [piece for c in call.node.calls for piece in split(c, room)]
    return [call.with_calls(group) for group in pack(pieces, room)]


def pack(pieces: list[Call], budget: Cost) -> list[list[Call]]:
    """The pieces in groups that each fit ``budget`` (first fit, in order)."""
    groups: list[tuple[Cost, list[Call]]] = []
    for piece in pieces:
        size = cost(piece)
        for position, (used, group) in enumerate(groups):
            if used + size <= budget:
                group.append(piece)
                groups[position] = (used + size, group)
                break
        else:
            groups.append((size, [piece]))
    return [group for _used, group in groups]


class Planner:
    """The calls of one root type for one caller."""

    def __init__(
        self,
        schema: GraphQLSchema,
        policy: ArgumentPolicy,
        caller: str,
        never_names: frozenset[str] = frozenset(),
        max_depth: int = 5,
    ):
        self.schema = schema
        self.policy = policy
        self.caller = caller
        self.never_names = never_names  # subjects this caller does not act for
        self.max_depth = max_depth
        self.probed: set[tuple[str, ...]] = set()
        self.top_keys: set[tuple[str, ...]] = set()

    def fields_of(self, type_) -> Iterator[tuple[str | None, str, GraphQLField]]:
        """(fragment type or None, name, field) of every field selectable on
        ``type_``; an abstract type's own fields first, then each possible type's."""
        own = type_.fields if not is_union_type(type_) else {}
        for name, f in own.items():
            yield None, name, f
        if is_interface_type(type_) or is_union_type(type_):
            for possible in self.schema.get_possible_types(type_):
                for name, f in possible.fields.items():
                    if name not in own:
                        yield possible.name, name, f

    def declared_by(self, type_name: str, name: str) -> str:
        """Where a field is one field, whichever type it is selected on: its
        interface (``PageInterface.children``), or an interface all of whose types
        have it alike (``aliasOf`` of every page type), else the type itself."""
        type_ = self.schema.get_type(type_name)
        interfaces = getattr(type_, "interfaces", ())
        for interface in interfaces:
            if name in interface.fields:
                return interface.name
        shape = str(type_.fields[name].type)
        for interface in interfaces:
            possible = self.schema.get_possible_types(interface)
            if all(
                name in p.fields and str(p.fields[name].type) == shape for p in possible
            ):
                return f"{interface.name}+"
        return type_name

    def field_key(self, node_type: str, owner, name: str, f: GraphQLField) -> tuple:
        """What makes a field the same field, to follow it once."""
        declared = self.declared_by(owner or node_type, name)
        if owner and declared == owner:
            # A field only some possible types have: the same name and type on
            # sibling types (``blocks`` of each struct block) is the same field here.
            return (node_type, name, str(f.type))
        return (declared, name)

    def variants(
        self, parent: str, name: str, f: GraphQLField, is_root: bool
    ) -> list[dict[str, tuple[Value, GraphQLInputType]]]:
        """The argument sets to call a field with; the first one is followed deep."""
        named = get_named_type(f.type)
        returns_list = is_list_type(get_nullable_type(f.type))
        base: dict[str, tuple[Value, GraphQLInputType]] = {}
        alternatives: list[tuple[str, Value, GraphQLInputType]] = []
        flags: list[tuple[str, Value, GraphQLInputType]] = []
        for arg_name, arg in f.args.items():
            site = ArgSite(
                parent,
                name,
                named,
                returns_list,
                is_root,
                arg_name,
                arg.type,
                arg.default_value is not Undefined,
            )
            options = self.policy.options(site)
            candidates = [v for v in options.candidates if self.may_name(v)]
            if site.required:
                if not candidates:
                    return []  # nothing to call it with
                readable = [v for v in candidates if self.caller not in v.hidden_from]
                first = (readable or candidates)[0]
                base[arg_name] = (first, arg.type)
                alternatives += [(arg_name, v, arg.type) for v in candidates]
            else:
                if options.default is not None:
                    base[arg_name] = (options.default, arg.type)
                # Optional arguments probe what the caller may not read; a readable
                # object is only the one the first call follows.
                probes = [v for v in options.probes if self.may_name(v)]
                readable = [v for v in probes if not v.names_canaries_for(self.caller)]
                alternatives += [
                    (arg_name, v, arg.type)
                    for v in probes
                    if v.names_canaries_for(self.caller) or v is readable[0]
                ]
                flags += [(arg_name, v, arg.type) for v in probes if v.subject is None]
        # One argument changed at a time; and an object the caller may not read
        # with each optional value that names nothing, as a flag may be what
        # opens it up (``internal: true`` links an article the ticket's company
        # may not read).
        changes = [[change] for change in alternatives]
        changes += [
            [change, flag]
            for change in alternatives
            if change[0] not in base or change[1] is not base[change[0]][0]
            if change[1].subject and self.caller in change[1].hidden_from
            for flag in flags
            if flag[0] != change[0]
        ]
        found = [base]
        seen = {self._signature(base)}
        for change in changes:
            args = {**base, **{name: (value, t) for name, value, t in change}}
            signature = self._signature(args)
            if signature not in seen:
                seen.add(signature)
                found.append(args)
        if not returns_list and not any(a.subject for a, _t in base.values()):
            # A look-up (``page(id:)``, ``site(id:)``) called with nothing names
            # nothing: follow the first call that names a readable object instead.
            for position, args in enumerate(found):
                changed = [v for v, _t in args.values() if v.subject]
                if changed and all(self.caller not in v.hidden_from for v in changed):
                    found.insert(0, found.pop(position))
                    break
        return found

    @staticmethod
    def _signature(args) -> str:
        return json.dumps({k: v.value for k, (v, _t) in args.items()}, sort_keys=True)

    def may_name(self, value: Value) -> bool:
        return value.subject not in self.never_names

    def shallow(self, type_, depth: int = 1) -> list[Call]:
        """What a probe selects: the type's own leaf fields and those of the
        objects it points at (the article of a ticket link, the body and related
        articles of a page); for a type that holds no text of its own (a page of
        results, a mutation's payload), what its object fields hold, one level
        further down."""
        calls = self.leaves(type_, own=True)
        texts = {"String", "ID", "RichText", "JSONString"}
        textless = not any(
            get_named_type(self._field(type_, c).type).name in texts for c in calls
        )
        if depth == 1 or (textless and depth < 3):
            for owner, name, f in self.fields_of(type_):
                target = get_named_type(f.type)
                if owner is None and not is_leaf_type(target):
                    variants = self.variants(type_.name, name, f, is_root=False)
                    if variants:
                        node = Node(target.name, self.shallow(target, depth + 1))
                        calls.append(Call(name, variants[0], node))
        return calls

    def _field(self, type_, call: Call) -> GraphQLField:
        owner = self.schema.get_type(call.type_cond) if call.type_cond else type_
        return owner.fields[call.field]

    def leaves(self, type_, own: bool = False) -> list[Call]:
        """The leaf fields of ``type_``; ``own``: of an interface, only its own
        (what a probe needs to show which object came back)."""
        calls = []
        for owner, name, f in self.fields_of(type_):
            if own and owner and is_interface_type(type_):
                continue
            if is_leaf_type(get_named_type(f.type)):
                variants = self.variants(type_.name, name, f, is_root=False)
                if variants:
                    calls.append(Call(name, variants[0], type_cond=owner))
        return calls

    def tree(self, type_, depth: int, max_depth: int) -> Node:
        """A selection of ``type_`` in which each field is followed once, where it
        is first met (breadth first), down to ``max_depth`` levels of objects."""
        root = Node(type_.name)
        followed: set[tuple[str, ...]] = set()
        leafed: set[str] = set()
        queue = deque([(root, type_, depth)])
        while queue:
            node, t, level = queue.popleft()
            # Each possible type's own fields where an interface is first met; its
            # own fields then, enough to show which object came back.
            node.calls.extend(self.leaves(t, own=t.name in leafed))
            leafed.add(t.name)
            if level >= max_depth:
                continue
            here: set[tuple] = set()  # fields followed from this very node
            for owner, name, f in self.fields_of(t):
                target = get_named_type(f.type)
                if is_leaf_type(target):
                    continue
                key = self.field_key(t.name, owner, name, f)
                if key in here:
                    # The same field of a sibling type (``blocks`` of another
                    # struct block): its own leaf fields, followed once above.
                    variants = self.variants(t.name, name, f, False)[:1]
                    for args in variants:
                        child = Node(target.name, self.shallow(target))
                        node.calls.append(Call(name, args, child, type_cond=owner))
                    continue
                if key in followed:
                    continue
                followed.add(key)
                here.add(key)
                variants = self.variants(t.name, name, f, False)
                # Probes (other arguments) depend on the arguments more than on
                # where the field is met: sent under each root field's own objects
                # (``site(id:).page(id:)``), deeper only the first time.
                if level > 1 and (key in self.probed or key in self.top_keys):
                    variants = variants[:1]
                self.probed.add(key)
                for position, args in enumerate(variants):
                    child = Node(target.name)
                    if position == 0:
                        queue.append((child, target, level + 1))
                    else:
                        child.calls = self.shallow(target)
                    node.calls.append(Call(name, args, child, type_cond=owner))
        self._alias(root)
        return root

    def root_calls(
        self, root_type, max_depth: int | None = None, all_deep: bool = False
    ) -> list[Call]:
        """The calls of every field of ``root_type``; ``all_deep``: every variant
        followed to ``max_depth`` (a mutation's answer is small), not the first."""
        max_depth = max_depth or self.max_depth
        # The fields met right under a root field are probed there.
        self.top_keys = {
            self.field_key(target.name, owner, field_name, g)
            for f in root_type.fields.values()
            if not is_leaf_type(target := get_named_type(f.type))
            for owner, field_name, g in self.fields_of(target)
        }
        calls = []
        for name, f in root_type.fields.items():
            target = get_named_type(f.type)
            for position, args in enumerate(
                self.variants(root_type.name, name, f, is_root=True)
            ):
                node = None
                if not is_leaf_type(target):
                    node = (
                        self.tree(target, 1, max_depth)
                        if position == 0 or all_deep
                        else Node(target.name, self.shallow(target))
                    )
                    self._alias(node)
                calls.append(Call(name, args, node))
        self._alias(Node(root_type.name, calls))
        return calls

    def _alias(self, node: Node) -> None:
        """Give a call an alias where its response name would not merge with an
        earlier call's of the same name at this level (GraphQL's "overlapping
        fields can be merged"): a field called again with other arguments, a field
        of another type in a sibling fragment (``text: String`` beside ``text:
        RichText``), or sub-selections that would not merge. In a fragment the
        alias names the type (``text_CalloutBlock``), else a position
        (``articles_2``). Run again on a node, it keeps the aliases it gave."""
        taken = {call.key for call in node.calls}
        by_key: dict[str, list[Call]] = {}
        for call in node.calls:
            if call.node is not None:
                self._alias(call.node)
            earlier = by_key.setdefault(call.key, [])
            if all(self._merges(node.type_name, other, call) for other in earlier):
                earlier.append(call)
                continue
            call.alias = self._free_alias(call, taken)
            call.cost = None
            taken.add(call.alias)
            by_key[call.alias] = [call]

    @staticmethod
    def _free_alias(call: Call, taken: set[str]) -> str:
        if call.type_cond and f"{call.field}_{call.type_cond}" not in taken:
            return f"{call.field}_{call.type_cond}"
        position = 1
        while f"{call.field}_{position}" in taken:
            position += 1
        return f"{call.field}_{position}"

    def _merges(self, parent: str, a: Call, b: Call) -> bool:
        """Whether two calls of one response name merge into one field: the same
        field, arguments and type, and sub-selections whose calls of a same name
        merge in turn (stricter than GraphQL, which lets fields of two distinct
        object types differ in arguments: an alias more, never an invalid query)."""
        if a is b:
            return True
        if a.field != b.field or self._signature(a.args) != self._signature(b.args):
            return False
        if self._shape(parent, a) != self._shape(parent, b):
            return False
        if a.node is None or b.node is None:
            return a.node is None and b.node is None
        return all(
            self._merges(a.node.type_name, x, y)
            for x in a.node.calls
            for y in b.node.calls
            if x.key == y.key
        )

    def _shape(self, parent: str, call: Call) -> str:
        owner = self.schema.get_type(call.type_cond or parent)
        f = owner.fields.get(call.field) if hasattr(owner, "fields") else None
        return str(f.type) if f is not None else ""


def reachable_fields(schema: GraphQLSchema) -> set[tuple[str, str]]:
    """(type, field) of every field reachable from the root types, an interface's
    fields counted on the interface and on each type that implements it."""
    found: set[tuple[str, str]] = set()
    seen: set[str] = set()
    queue = deque(t for t in (schema.query_type, schema.mutation_type) if t)
    while queue:
        type_ = queue.popleft()
        if type_.name in seen:
            continue
        seen.add(type_.name)
        if is_union_type(type_) or is_interface_type(type_):
            queue.extend(schema.get_possible_types(type_))
        if is_union_type(type_):
            continue
        for name, f in type_.fields.items():
            found.add((type_.name, name))
            target = get_named_type(f.type)
            if not is_leaf_type(target):
                queue.append(target)
    return found


# -- reading responses back ------------------------------------------------------


def strings_with_paths(
    data: Any, calls: list[Call], chain: tuple[Call, ...] = ()
) -> Iterator[tuple[tuple[Call, ...], str]]:
    """Every string of a response's ``data``, with the calls that produced it
    (``site(id: <default site>)``, ``page(...)``, ``title``)."""
    if isinstance(data, list):
        for item in data:
            yield from strings_with_paths(item, calls, chain)
        return
    if isinstance(data, str):
        yield chain, data
        return
    if not isinstance(data, dict):
        return
    by_key: dict[str, list[Call]] = {}
    for call in calls:
        by_key.setdefault(call.key, []).append(call)
    for key, value in data.items():
        matching = by_key.get(key) or [Call(key)]
        children = [c for call in matching if call.node for c in call.node.calls]
        yield from strings_with_paths(value, children, (*chain, matching[0]))


def calls_of_path(path: list, calls: list[Call]) -> tuple[Call, ...]:
    """The calls along an error's ``path`` (response keys and indices)."""
    chain: list[Call] = []
    for key in path or []:
        if isinstance(key, int):
            continue
        matching = [c for c in calls if c.key == key] or [Call(str(key))]
        chain.append(matching[0])
        calls = [c for call in matching if call.node for c in call.node.calls]
    return tuple(chain)


def labels(chain: tuple[Call, ...]) -> tuple[str, ...]:
    return tuple(call.label for call in chain)


def arguments_text(chain: tuple[Call, ...]) -> str:
    """The argument values along ``chain``, lower case: what the caller itself
    gave, and may get back (an echo is no leak)."""
    return " ".join(
        json.dumps(value.value) for call in chain for value, _t in call.args.values()
    ).lower()


def field_path(labels: tuple[str, ...]) -> str:
    """``site(id: …).page(…).title`` -> ``site.page.title``."""
    return ".".join(label.split("(", 1)[0] for label in labels)
