"""What a GraphQL query asks for below a field: lets a selector fetch only the
relations the caller will read (and still every one of them, so no N+1)."""

from __future__ import annotations

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode


def selected_fields(info, *path: str) -> set[str] | None:
    """The field names selected below the resolved field, following ``path`` (e.g.
    ``"items", "article"``), and one level further as dotted names (``authors`` and
    ``authors.photo``: a relation's own relations); fragments count whatever their
    type condition (a superset is safe). None when the path is not selected as a
    plain field chain."""
    nodes = list(info.field_nodes)
    for name in path:
        nodes = [
            child
            for node in nodes
            for child in _fields(node.selection_set, info.fragments)
            if child.name.value == name
        ]
        if not nodes:
            return None
    children = [
        child for node in nodes for child in _fields(node.selection_set, info.fragments)
    ]
    names = {child.name.value for child in children}
    names.update(
        f"{child.name.value}.{grandchild.name.value}"
        for child in children
        for grandchild in _fields(child.selection_set, info.fragments)
    )
    return names


def _fields(selection_set, fragments) -> list[FieldNode]:
    if selection_set is None:
        return []
    found = []
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            found.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            found.extend(_fields(selection.selection_set, fragments))
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                found.extend(_fields(fragment.selection_set, fragments))
    return found
