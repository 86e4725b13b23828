"""The receipt screen's lines table made cheap to paint: every scan repaints it, and a paint asks each cell for
a dozen roles, each a call into Python.

- :class:`CachedRowsModel`: a table model whose ``data()``, ``flags()`` and ``headerData()`` answer from a
  cache: a subclass writes them as usual and each answer is computed once. The cache of a row is
  dropped when the model says that row changed (``dataChanged``), all of it on a reset, a layout change or
  new header texts (the language changed), so what is shown is always what ``cell`` would answer now.
  Header texts are kept per section the same way.
- :func:`steady_table`: fixed row heights (no row is measured) and a vertical scroll bar that is always
  there, so a receipt with one line more than fits does not relayout and paint the table twice.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import QHeaderView, QTableView

_DISPLAY = Qt.ItemDataRole.DisplayRole


class CachedRowsModel(QAbstractTableModel):
    """Subclass it instead of QAbstractTableModel and write ``data``, ``flags`` and ``headerData`` as usual: they
    are wrapped, when the subclass is made, by the caching versions below."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in ("data", "flags", "headerData"):
            own = cls.__dict__.get(name)
            if own is not None:
                setattr(cls, "_compute_" + name, own)
                setattr(cls, name, getattr(CachedRowsModel, "_cached_" + name))

    def __init__(self) -> None:
        super().__init__()
        self._cells: dict[int, dict[tuple[int, Any], Any]] = {}
        self._flags: dict[tuple[int, int], Any] = {}
        self._headers: dict[tuple[Any, int, Any], Any] = {}
        self.dataChanged.connect(self._rows_changed)
        for signal in (self.modelReset, self.layoutChanged, self.rowsInserted, self.rowsRemoved, self.rowsMoved,
                       self.columnsInserted, self.columnsRemoved):
            signal.connect(self.forget)
        self.headerDataChanged.connect(self._headers_changed)

    def _compute_data(self, index: QModelIndex, role: Any = _DISPLAY) -> Any:
        return None

    def _compute_flags(self, index: QModelIndex) -> Qt.ItemFlag:
        return QAbstractTableModel.flags(self, index)

    def _compute_headerData(self, section: int, orientation: Qt.Orientation, role: Any = _DISPLAY) -> Any:  # noqa: N802
        return QAbstractTableModel.headerData(self, section, orientation, role)

    # -- the cache
    def forget(self, *_: Any) -> None:
        """Drop every cached cell (the next paint asks again)."""
        self._cells.clear()
        self._flags.clear()

    def _rows_changed(self, top_left: QModelIndex, bottom_right: QModelIndex, _roles: Any = None) -> None:
        if not top_left.isValid() or not bottom_right.isValid():
            self.forget()
            return
        first, last = top_left.row(), bottom_right.row()
        for row in range(first, last + 1):
            self._cells.pop(row, None)
        if self._flags:
            self._flags = {k: v for k, v in self._flags.items() if not first <= k[0] <= last}

    def _headers_changed(self, *_: Any) -> None:
        self._headers.clear()
        self.forget()  # new header texts: the language changed, and with it the texts in the cells

    # -- Qt's questions, answered from the cache
    def _cached_data(self, index: QModelIndex, role: Any = _DISPLAY) -> Any:
        if not index.isValid():
            return None
        row = index.row()
        cells = self._cells.get(row)
        if cells is None:
            cells = self._cells[row] = {}
        key = (index.column(), role)
        try:
            return cells[key]
        except KeyError:
            value = cells[key] = self._compute_data(index, role)
            return value

    def _cached_flags(self, index: QModelIndex) -> Qt.ItemFlag:
        key = (index.row(), index.column())
        found = self._flags.get(key)
        if found is None:
            found = self._flags[key] = self._compute_flags(index)
        return found

    def _cached_headerData(self, section: int, orientation: Qt.Orientation, role: Any = _DISPLAY) -> Any:  # noqa: N802
        key = (orientation, section, role)
        try:
            return self._headers[key]
        except KeyError:
            value = self._headers[key] = self._compute_headerData(section, orientation, role)
            return value


def steady_table(table: QTableView, row_height: int) -> None:
    """Rows of one fixed height, never measured, and a scroll bar that does not come and go."""
    rows = table.verticalHeader()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(row_height)
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
