"""fpdf2's page-level PDF objects, written without reflecting over every name `dir()` lists.

fpdf2 writes an object's dictionary from `{name: getattr(obj, name) for name in dir(obj)}`:
methods, dunders and properties included, each name camel-cased, for every object of every
letter. Which of those names are data is a matter of the object's class (and, for objects
with a `__dict__`, of which attributes it has), so `QuickDict` works that out once per shape
and hands fpdf2's own `build_obj_dict` just the data that is set: the same dictionary, in
the same order (tests/letters/test_pdf.py compares the bytes with fpdf2's reflection).
"""

from __future__ import annotations

from typing import Any

from fpdf.output import PDFCatalog, PDFInfo, PDFPage, PDFPagesRoot, PDFResources
from fpdf.syntax import PDFContentStream, PDFObject, build_obj_dict

__all__ = ["QUICK_CLASSES", "QuickDict"]

#: Object shapes (class, instance attribute names) whose data names are remembered; a
#: letter has a handful, so this only guards against an unforeseen stream of new ones.
_SHAPES_KEPT = 256

_data_names_by_shape: dict[tuple[type, tuple[str, ...]], tuple[str, ...]] = {}


def _data_names(obj: PDFObject) -> tuple[str, ...]:
    """The names in `dir(obj)` that fpdf2's reflection may write, sorted as `dir` sorts
    them: not private, not `id`/`ref`, not a method of the class (an instance attribute of
    the same name counts, as it does for fpdf2)."""
    attributes = tuple(vars(obj))
    shape = (type(obj), attributes)
    names = _data_names_by_shape.get(shape)
    if names is None:
        cls = type(obj)
        in_class = {name for name in dir(cls) if not callable(getattr(cls, name))}
        candidates = in_class | set(attributes)
        names = tuple(
            sorted(name for name in candidates if name[0] != "_" and name not in ("id", "ref"))
        )
        if len(_data_names_by_shape) >= _SHAPES_KEPT:
            _data_names_by_shape.clear()
        _data_names_by_shape[shape] = names
    return names


class QuickDict(PDFObject):
    """An fpdf2 object whose dictionary is built from its remembered data names."""

    __slots__ = ()

    def _build_obj_dict(self, security_handler: Any = None) -> dict[str, object]:
        if security_handler is not None:  # an encrypted letter: fpdf2's own way throughout
            return super()._build_obj_dict(security_handler)
        values = {}
        for name in _data_names(self):
            value = getattr(self, name)
            if value is not None:  # build_obj_dict leaves out None: skip it here already
                values[name] = value
        return build_obj_dict(values, _obj_id=self.id)


class _Page(QuickDict, PDFPage):
    __slots__ = ()


class _PagesRoot(QuickDict, PDFPagesRoot):
    pass


class _Catalog(QuickDict, PDFCatalog):
    pass


class _Info(QuickDict, PDFInfo):
    pass


class _Resources(QuickDict, PDFResources):
    pass


class _ContentStream(QuickDict, PDFContentStream):
    pass


#: fpdf2's class of an object a letter has → the same class with a quick dictionary.
QUICK_CLASSES: dict[type, type] = {
    PDFPage: _Page,
    PDFPagesRoot: _PagesRoot,
    PDFCatalog: _Catalog,
    PDFInfo: _Info,
    PDFResources: _Resources,
    PDFContentStream: _ContentStream,
}
